using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

public enum IncidentStatus
{
    Open,
    Closed,
}

/// <summary>
/// An incident as operators see it: the root-cause candidate, the causal chain with a reason per
/// edge, the timeline, the evidence, the confidence and what is missing. Immutable snapshot; a later
/// revision of the same incident has the same id and a higher revision.
/// </summary>
public sealed record IncidentReport
{
    public required string Id { get; init; }

    public required int Revision { get; init; }

    public required IncidentStatus Status { get; init; }

    public required string Title { get; init; }

    public required DateTime FirstSeen { get; init; }

    public required DateTime LastSeen { get; init; }

    public required double Confidence { get; init; }

    /// <summary>The earliest causal finding (or sequence step): where the story starts.</summary>
    public required Signal RootCause { get; init; }

    public required IReadOnlyList<CausalEdge> Chain { get; init; }

    /// <summary>Every signal, in time order; plain events among them are the evidence.</summary>
    public required IReadOnlyList<Signal> Timeline { get; init; }

    /// <summary>Signals that were steps of a completed sequence, by id: "sequence: step".</summary>
    public IReadOnlyDictionary<long, string> Steps { get; init; } = new Dictionary<long, string>();

    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>Names of the findings (rules, anomalies, sequences) in time order, without repeats.</summary>
    public IReadOnlyList<string> Findings => [.. Timeline.Where(s => s.Kind != SignalKind.Event).Select(s => s.Name).Distinct()];

    public long EvidenceDropped { get; init; }

    /// <summary>Findings left out between the first and the most recent ones (the findings cap), by rule, anomaly or sequence name.</summary>
    public IReadOnlyDictionary<string, long> FindingsOmitted { get; init; } = new Dictionary<string, long>();
}
