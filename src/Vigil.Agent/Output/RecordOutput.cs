using Vigil.Agent.Pipeline;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>Records written to a text stream (a terminal, a pipe) in a chosen format, flushed when the queue runs dry.</summary>
public sealed class RecordOutput : ConclusionQueue
{
    private readonly IRecordFormatter _formatter;
    private readonly TextWriter _target;

    public RecordOutput(IRecordFormatter formatter, TextWriter target, int capacity = 65536)
        : base("stdout", capacity)
    {
        _formatter = formatter;
        _target = target;
        StartDraining();
    }

    protected override async ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        foreach (object record in batch)
        {
            switch (record)
            {
                case VigilEvent e:
                    _formatter.Write(_target, e);
                    break;
                case RuleDetection d:
                    _formatter.Write(_target, d);
                    break;
                case IncidentReport i:
                    _formatter.Write(_target, i);
                    break;
            }
        }
        await _target.FlushAsync().ConfigureAwait(false);
    }
}
