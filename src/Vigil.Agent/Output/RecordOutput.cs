using System.Threading.Channels;
using Vigil.Agent.Pipeline;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>
/// A bounded queue between the pipeline and a slow writer (a terminal, a pipe): when it is full the
/// record is dropped and counted, so output never stalls the kernel reader.
/// </summary>
public sealed class RecordOutput : IConclusionSink, IAsyncDisposable
{
    private readonly Channel<object> _queue;
    private readonly Task _writer;
    private long _dropped;

    public RecordOutput(IRecordFormatter formatter, TextWriter target, int capacity = 65536)
    {
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(() => Drain(formatter, target));
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Event(VigilEvent e) => Enqueue(e);

    public void Detection(RuleDetection detection) => Enqueue(detection);

    public void Incident(IncidentReport incident) => Enqueue(incident);

    private void Enqueue(object record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task Drain(IRecordFormatter formatter, TextWriter target)
    {
        await foreach (object record in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (record)
            {
                case VigilEvent e:
                    formatter.Write(target, e);
                    break;
                case RuleDetection d:
                    formatter.Write(target, d);
                    break;
                case IncidentReport i:
                    formatter.Write(target, i);
                    break;
            }
            if (_queue.Reader.Count == 0)
            {
                await target.FlushAsync().ConfigureAwait(false);
            }
        }
        await target.FlushAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
