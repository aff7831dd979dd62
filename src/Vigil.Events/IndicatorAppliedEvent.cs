namespace Vigil.Events;

/// <summary>
/// The agent applied a threat indicator another node of the fleet published (an XDP ban for an
/// address). The acting process is the agent.
/// </summary>
public sealed class IndicatorAppliedEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Guard;

    public required string IndicatorId { get; init; }

    /// <summary>address, binary-hash or domain.</summary>
    public required string IndicatorKind { get; init; }

    public required string Value { get; init; }

    /// <summary>The node that produced the indicator.</summary>
    public required string Origin { get; init; }

    /// <summary>What was done, e.g. "xdp ban for 598s".</summary>
    public required string Action { get; init; }
}
