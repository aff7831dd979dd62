namespace Vigil.Correlation;

public sealed record CorrelatorOptions
{
    /// <summary>A signal joins an incident only if the incident saw activity this recently.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>An incident with no new signal for this long is closed.</summary>
    public TimeSpan IdleClose { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Open incidents (published or candidate) kept at most; the least recently active is evicted and counted.</summary>
    public int MaxOpenIncidents { get; init; } = 10_000;

    /// <summary>Signals kept per incident; plain events beyond it are counted, not kept.</summary>
    public int MaxSignalsPerIncident { get; init; } = 512;

    /// <summary>
    /// Findings (detections, anomalies, sequences) kept per incident: the first half, where the story
    /// starts, and a rolling window of the most recent half; those in between are counted per name, not
    /// kept. The root cause is always kept. An incident that never ends (a miner tripping its rule every
    /// few seconds) would otherwise make every revision larger than the last.
    /// </summary>
    public int MaxFindingsPerIncident { get; init; } = 256;

    /// <summary>Only the most recent signals of an incident are compared with a new one (bounds the cost per signal).</summary>
    public int LinkLookback { get; init; } = 64;

    /// <summary>
    /// A published incident makes at most one revision per this much event time: a burst of findings is
    /// carried by one revision, published when the interval is over (by <see cref="Correlator.CloseIdle"/>)
    /// or by the next finding after it. The first revision and the closing one are never held back.
    /// </summary>
    public TimeSpan RevisionInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A lone finding with at least this prior is published on its own: error and above (docs/correlation.md).</summary>
    public double PublishAlonePrior { get; init; } = 0.75;
}
