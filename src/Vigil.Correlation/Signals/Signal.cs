using Vigil.Events;

namespace Vigil.Correlation.Signals;

/// <summary>
/// One input of the correlator: a detection, an anomaly, a completed sequence or a plain event,
/// with the entities it is about and how much it says about an attack on its own (its prior).
/// </summary>
public sealed record Signal
{
    public required long Id { get; init; }

    public required DateTime Time { get; init; }

    public required SignalKind Kind { get; init; }

    /// <summary>Rule, anomaly or sequence name; the event name for plain events.</summary>
    public required string Name { get; init; }

    /// <summary>Probability-like weight in [0,1] that this signal alone indicates an attack.</summary>
    public required double Prior { get; init; }

    public required Entities Entities { get; init; }

    /// <summary>The raw event the signal stands on, kept as evidence.</summary>
    public VigilEvent? Event { get; init; }

    /// <summary>A human-readable line (rendered rule output, anomaly description).</summary>
    public string Description { get; init; } = "";

    public IReadOnlyList<string> Tags { get; init; } = [];
}
