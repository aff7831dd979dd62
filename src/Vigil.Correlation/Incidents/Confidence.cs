using Vigil.Correlation.Signals;
using Vigil.Events;

namespace Vigil.Correlation.Incidents;

/// <summary>
/// How sure an incident is, in [0,1] (docs/correlation.md):
/// a noisy-OR over its findings, each weighted by how strongly and how promptly it links to the
/// chain, scaled by the amount of evidence, and discounted for each piece of missing context.
/// </summary>
public static class Confidence
{
    /// <summary>Time constant of the proximity decay: a finding this long after its cause keeps 1/e of its link.</summary>
    public static readonly TimeSpan ProximityTau = TimeSpan.FromMinutes(5);

    /// <summary>Proximity never drops below this: slow attacks are still attacks.</summary>
    public const double ProximityFloor = 0.5;

    public const double EvidenceBase = 0.75;

    public const double MissingPenalty = 0.9;

    internal static double Of(IncidentState incident, IReadOnlyDictionary<long, Signal> byId)
    {
        var linkOf = new Dictionary<long, (double Strength, TimeSpan Gap)>();
        foreach (CausalEdge edge in incident.Edges)
        {
            if (byId.TryGetValue(edge.From, out Signal? from) && byId.TryGetValue(edge.To, out Signal? to)
                && (!linkOf.TryGetValue(edge.To, out var known) || edge.Strength > known.Strength))
            {
                linkOf[edge.To] = (edge.Strength, to.Time - from.Time);
            }
        }
        // A rule firing again on the same process says nothing new: each (finding, process) counts once, by its strongest term.
        var terms = new Dictionary<(string Name, ExecId Process), double>();
        foreach (Signal s in incident.Findings)
        {
            // The first finding anchors the chain: its link is its own prior.
            (double strength, TimeSpan gap) = linkOf.TryGetValue(s.Id, out var l) ? l : (1.0, TimeSpan.Zero);
            double term = s.Prior * strength * Proximity(gap);
            (string, ExecId) key = (s.Name, s.Entities.Process);
            terms[key] = Math.Max(term, terms.GetValueOrDefault(key));
        }
        int findings = terms.Count;
        double none = 1;
        foreach (double term in terms.Values)
        {
            none *= 1 - term;
        }
        double evidence = EvidenceBase + (1 - EvidenceBase) * (1 - Math.Exp(-incident.Signals.Count / 3.0));
        double missing = Math.Pow(MissingPenalty, incident.Missing.Count);
        return findings == 0 ? 0 : Math.Clamp((1 - none) * evidence * missing, 0, 1);
    }

    public static double Proximity(TimeSpan gap) =>
        Math.Max(ProximityFloor, Math.Exp(-Math.Abs(gap.TotalSeconds) / ProximityTau.TotalSeconds));
}
