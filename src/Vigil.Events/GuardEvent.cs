namespace Vigil.Events;

/// <summary>
/// The XDP guard's auto-mitigation banned a source: it was seen above the threshold in sampled
/// traffic. The acting process is the agent that installed the ban.
/// </summary>
public sealed class GuardBanEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Guard;

    /// <summary>The banned network, e.g. <c>10.0.0.7/32</c>.</summary>
    public required string Network { get; init; }

    public required TimeSpan Ttl { get; init; }

    /// <summary>Packets per second estimated from samples (count x sampling rate / window).</summary>
    public required double EstimatedPps { get; init; }

    public required double ThresholdPps { get; init; }
}
