using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

internal static class IncidentReports
{
    public static IncidentReport Build(IncidentState incident)
    {
        List<Signal> timeline = [.. incident.Signals.OrderBy(s => s.Time).ThenBy(s => s.Id)];
        Signal root = RootCause(incident, timeline);
        Signal headline = timeline.Where(s => s.Kind != SignalKind.Event).OrderByDescending(s => s.Kind == SignalKind.Sequence).ThenByDescending(s => s.Prior).First();
        return new IncidentReport
        {
            Id = incident.Id,
            Revision = incident.Revision,
            Status = incident.Closed ? IncidentStatus.Closed : IncidentStatus.Open,
            Title = string.IsNullOrEmpty(headline.Description) ? headline.Name : headline.Description,
            FirstSeen = timeline[0].Time,
            LastSeen = incident.LastSeen,
            Confidence = Math.Round(Confidence.Of(incident), 3),
            RootCause = root,
            Chain = [.. incident.Edges.Distinct()],
            Timeline = timeline,
            Missing = [.. incident.Missing.Order(StringComparer.Ordinal)],
            EvidenceDropped = incident.EvidenceDropped,
        };
    }

    /// <summary>
    /// The earliest finding or sequence step that nothing earlier in the incident explains:
    /// no causal edge comes into it from an earlier finding or step.
    /// </summary>
    private static Signal RootCause(IncidentState incident, List<Signal> timeline)
    {
        var causal = timeline.Where(s => s.Kind is SignalKind.Detection or SignalKind.Anomaly || incident.SequenceSteps.Contains(s.Id)).ToList();
        var ids = causal.Select(s => s.Id).ToHashSet();
        var explained = incident.Edges.Where(e => ids.Contains(e.From) && e.From != e.To).Select(e => e.To).ToHashSet();
        return causal.FirstOrDefault(s => !explained.Contains(s.Id)) ?? causal.FirstOrDefault() ?? timeline[0];
    }
}
