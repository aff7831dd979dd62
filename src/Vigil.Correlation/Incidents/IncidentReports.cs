using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

/// <summary>Builds an incident's report; runs once per revision, so in time linear in the incident's (capped) size.</summary>
internal static class IncidentReports
{
    public static IncidentReport Build(IncidentState incident)
    {
        List<Signal> timeline = Timeline(incident);
        IReadOnlyDictionary<long, Signal> byId = incident.ById;
        Signal headline = Headline(timeline);
        return new IncidentReport
        {
            Id = incident.Id,
            Revision = incident.Revision,
            Status = incident.Closed ? IncidentStatus.Closed : IncidentStatus.Open,
            Title = string.IsNullOrEmpty(headline.Description) ? headline.Name : headline.Description,
            FirstSeen = timeline[0].Time,
            LastSeen = incident.LastSeen,
            Confidence = Math.Round(Confidence.Of(incident, byId), 3),
            RootCause = RootCause(incident, timeline),
            Chain = Chain(incident.Edges, byId),
            Timeline = timeline,
            Steps = new Dictionary<long, string>(incident.SequenceSteps),
            Missing = [.. incident.Missing.Order(StringComparer.Ordinal)],
            EvidenceDropped = incident.EvidenceDropped,
            FindingsOmitted = new Dictionary<string, long>(incident.FindingsOmitted, StringComparer.Ordinal),
        };
    }

    /// <summary>The incident's signals in time order (by id among equal times).</summary>
    public static List<Signal> Timeline(IncidentState incident)
    {
        List<Signal> timeline = [.. incident.Signals];
        timeline.Sort(static (x, y) => x.Time != y.Time ? x.Time.CompareTo(y.Time) : x.Id.CompareTo(y.Id));
        return timeline;
    }

    /// <summary>What the incident is called after: a completed sequence first, else its strongest finding.</summary>
    private static Signal Headline(List<Signal> timeline)
    {
        Signal? best = null;
        foreach (Signal s in timeline)
        {
            if (s.Kind != SignalKind.Event && (best is null || Outranks(s, best)))
            {
                best = s;
            }
        }
        return best ?? timeline[0];

        static bool Outranks(Signal s, Signal other) =>
            (s.Kind == SignalKind.Sequence) != (other.Kind == SignalKind.Sequence) ? s.Kind == SignalKind.Sequence : s.Prior > other.Prior;
    }

    /// <summary>
    /// Edges once each (a merge can bring the same edge twice), in the order they were found, between
    /// signals the incident kept: evidence can link to an index entry whose signal a cap has left out.
    /// </summary>
    private static List<CausalEdge> Chain(List<CausalEdge> edges, IReadOnlyDictionary<long, Signal> byId)
    {
        var seen = new HashSet<(long, long, EdgeReason)>(edges.Count);
        var chain = new List<CausalEdge>(edges.Count);
        foreach (CausalEdge e in edges)
        {
            if (byId.ContainsKey(e.From) && byId.ContainsKey(e.To) && seen.Add((e.From, e.To, e.Reason)))
            {
                chain.Add(e);
            }
        }
        return chain;
    }

    /// <summary>
    /// The earliest finding or sequence step that nothing earlier in the incident explains:
    /// no causal edge comes into it from an earlier finding or step.
    /// </summary>
    public static Signal RootCause(IncidentState incident, List<Signal> timeline)
    {
        IReadOnlyDictionary<long, Signal> byId = incident.ById;
        bool IsCausal(Signal s) => s.Kind is SignalKind.Detection or SignalKind.Anomaly || incident.SequenceSteps.ContainsKey(s.Id);
        var explained = new HashSet<long>();
        foreach (CausalEdge e in incident.Edges)
        {
            if (e.From != e.To && byId.TryGetValue(e.From, out Signal? from) && IsCausal(from))
            {
                explained.Add(e.To);
            }
        }
        Signal? firstCausal = null;
        foreach (Signal s in timeline)
        {
            if (IsCausal(s))
            {
                if (!explained.Contains(s.Id))
                {
                    return s;
                }
                firstCausal ??= s;
            }
        }
        return firstCausal ?? timeline[0];
    }
}
