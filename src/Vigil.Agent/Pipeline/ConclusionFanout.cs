using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Pipeline;

/// <summary>Hands every record to each configured sink (stdout, store, exporters, fleet); each sink queues on its own.</summary>
public sealed class ConclusionFanout(IReadOnlyList<IConclusionSink> sinks) : IConclusionSink
{
    public IReadOnlyList<IConclusionSink> Sinks { get; } = sinks;

    public void Event(VigilEvent e)
    {
        foreach (IConclusionSink sink in Sinks)
        {
            sink.Event(e);
        }
    }

    public void Detection(RuleDetection detection)
    {
        foreach (IConclusionSink sink in Sinks)
        {
            sink.Detection(detection);
        }
    }

    public void Incident(IncidentReport incident)
    {
        foreach (IConclusionSink sink in Sinks)
        {
            sink.Incident(incident);
        }
    }
}
