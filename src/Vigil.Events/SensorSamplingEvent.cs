namespace Vigil.Events;

/// <summary>
/// Overload sampling changed: a sensor's ring stayed full, so the kernel now ships one in
/// <see cref="Every"/> events of rules not marked critical (1: all again). The acting process is the agent.
/// </summary>
public sealed class SensorSamplingEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Sensor;

    public required string Sensor { get; init; }

    public required uint Every { get; init; }

    /// <summary>How full the ring was when the change was decided (0 to 1).</summary>
    public required double RingFill { get; init; }
}
