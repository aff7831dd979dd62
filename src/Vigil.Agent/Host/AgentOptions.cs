using Vigil.Agent.Pipeline;
using Vigil.Enrichment.Processes;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Sensors;
using Vigil.Sensors.Judging;

namespace Vigil.Agent.Host;

/// <summary>What `vigil run` is configured with (its embedded defaults come from here).</summary>
public sealed record AgentOptions
{
    public SensorOptions Sensors { get; init; } = new();

    public AnalysisOptions Analysis { get; init; } = AnalysisOptions.Defaults(AppContext.BaseDirectory);

    /// <summary>Most processes the process cache holds before evicting the least recently used.</summary>
    public int ProcessCacheSize { get; init; } = 65536;

    /// <summary>How long events of a not-yet-known process wait for its exec or fork record.</summary>
    public LateContextOptions LateContext { get; init; } = new();

    /// <summary>Records waiting for the output writer before new ones are dropped (and counted).</summary>
    public int OutputQueue { get; init; } = 65536;

    /// <summary>Where the XDP guard's pinned state is; when it is there, the agent adopts it.</summary>
    public GuardPaths Guard { get; init; } = GuardPaths.Default();

    /// <summary>Directory of policy files put in force and watched; by default the shipped policies/ next to the agent.</summary>
    public string PolicyDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "policies");

    /// <summary>When the judging sensors thin low-priority events because their ring stays full.</summary>
    public OverloadOptions Overload { get; init; } = new();

    /// <summary>Auto-mitigation settings while the guard is attached.</summary>
    public MitigationOptions Mitigation { get; init; } = new();
}
