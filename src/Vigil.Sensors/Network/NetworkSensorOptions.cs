namespace Vigil.Sensors.Network;

/// <summary>Settings of the network sensor.</summary>
public sealed record NetworkSensorOptions
{
    /// <summary>
    /// The cgroup v2 directory whose sockets are counted per flow (its whole subtree); null counts no
    /// flows (connections are still reported). The agent uses the cgroup2 root: every process.
    /// </summary>
    public string? FlowCgroup { get; init; }

    /// <summary>How often the kernel's flow map is read out.</summary>
    public TimeSpan FlowInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Flows the kernel counts between two read-outs; packets of further flows are counted as lost.</summary>
    public int KernelFlows { get; init; } = 16384;

    /// <summary>Flows kept with their totals for top-flow queries.</summary>
    public int FlowTableCapacity { get; init; } = 65536;

    /// <summary>A flow with no packets for this long leaves the flow table.</summary>
    public TimeSpan FlowIdle { get; init; } = TimeSpan.FromMinutes(2);

    public void Validate()
    {
        if (FlowInterval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException($"flow interval {FlowInterval} must be at least 10 ms");
        }
        if (KernelFlows < 1 || FlowTableCapacity < 1)
        {
            throw new ArgumentException($"flow capacities ({KernelFlows} in the kernel, {FlowTableCapacity} in the table) must be positive");
        }
        if (FlowCgroup is not null && !Directory.Exists(FlowCgroup))
        {
            throw new ArgumentException($"flow cgroup {FlowCgroup} does not exist");
        }
    }
}
