namespace Vigil.Correlation.Signals;

public enum SignalKind
{
    /// <summary>A plain event: context and evidence, never the start of an incident.</summary>
    Event,
    /// <summary>A rule fired (Falco-language detection).</summary>
    Detection,
    /// <summary>A deviation from a learned baseline.</summary>
    Anomaly,
    /// <summary>A sequence rule completed: several steps in order, joined by shared entities.</summary>
    Sequence,
}
