namespace Vigil.Sensors.Network;

/// <summary>
/// What the network filter did, summed over CPUs since the sensor started: events shipped, events
/// judged and not selected (counted, not shipped), connects denied, packets lost to a full flow
/// map, and how many events each rule of the filter in force matched.
/// </summary>
public sealed record NetworkCounters(
    ulong Shipped,
    ulong Filtered,
    ulong Denied,
    ulong FlowPacketsLost,
    long FilteredFlowSummaries,
    IReadOnlyDictionary<string, ulong> RuleMatches);
