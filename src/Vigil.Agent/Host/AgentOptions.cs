using Vigil.Agent.Api;
using Vigil.Agent.Otlp;
using Vigil.Agent.Output;
using Vigil.Agent.Pipeline;
using Vigil.Enrichment.Processes;
using Vigil.Fleet;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Sensors;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;
using Vigil.Storage;

namespace Vigil.Agent.Host;

/// <summary>What `vigil run` is configured with (its embedded defaults come from here).</summary>
public sealed record AgentOptions
{
    public SensorOptions Sensors { get; init; } = new();

    /// <summary>Network sensor settings; a null flow cgroup means the cgroup2 root (every process).</summary>
    public NetworkSensorOptions Network { get; init; } = new();

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

    /// <summary>The edge store; null when disabled (<c>--store none</c>).</summary>
    public StoreOptions? Store { get; init; } = new();

    /// <summary>The JSON lines file sink; null (the default) writes no file.</summary>
    public JsonLinesFileOptions? JsonLines { get; init; }

    /// <summary>The local API, console and /metrics.</summary>
    public ApiOptions Api { get; init; } = new();

    /// <summary>The OTLP exporter; null (the default) exports nothing.</summary>
    public OtlpOptions? Otlp { get; init; }

    /// <summary>The fleet to join over NATS; null (the default) runs the agent alone.</summary>
    public FleetOptions? Fleet { get; init; }
}
