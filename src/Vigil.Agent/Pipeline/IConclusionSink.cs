using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Pipeline;

/// <summary>Where the agent's output goes: enriched events, detections and incident revisions. Must not block.</summary>
public interface IConclusionSink
{
    void Event(VigilEvent e);

    void Detection(RuleDetection detection);

    void Incident(IncidentReport incident);
}
