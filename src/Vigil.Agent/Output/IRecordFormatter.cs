using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>Renders one event, detection or incident revision as one line of output.</summary>
public interface IRecordFormatter
{
    void Write(TextWriter target, VigilEvent e);

    void Write(TextWriter target, RuleDetection detection);

    void Write(TextWriter target, IncidentReport incident);
}
