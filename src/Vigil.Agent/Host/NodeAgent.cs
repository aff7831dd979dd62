using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Sensors;
using Vigil.Sensors.Process;

namespace Vigil.Agent.Host;

/// <summary>
/// The node plane wired together: sensors -> process enrichment -> the given sink, and, when the
/// XDP guard is attached, its auto-mitigation. Sensors that fail to load are reported; the rest run.
/// </summary>
public sealed class NodeAgent : IDisposable
{
    private readonly SensorHost _sensors;
    private readonly IEventSink _output;
    private readonly ILoggerFactory _logs;
    private XdpGuard? _guard;

    public NodeAgent(AgentOptions options, IEventSink output, ILoggerFactory logs)
    {
        Options = options;
        _output = output;
        _logs = logs;
        Processes = new ProcessCache(options.ProcessCacheSize);
        var enricher = new ProcessEnricher(Processes, output);
        _sensors = new SensorHost(CreateSensors(enricher, logs), logs.CreateLogger<SensorHost>());
    }

    public AgentOptions Options { get; }

    public ProcessCache Processes { get; }

    public IReadOnlyList<Sensor> Sensors => _sensors.Sensors;

    /// <summary>Auto-mitigation of the adopted XDP guard; null when no guard is attached.</summary>
    public AutoMitigation? Mitigation { get; private set; }

    /// <summary>Seeds the process cache from /proc, starts the sensors, adopts the XDP guard; returns how many sensors run.</summary>
    public int Start()
    {
        ProcScanner.Seed(Processes);
        int running = _sensors.Start(Options.Sensors);
        StartGuard();
        return running;
    }

    /// <summary>The guard's data plane never depends on the agent: this only adopts its state and mitigates.</summary>
    private void StartGuard()
    {
        ILogger log = _logs.CreateLogger<AutoMitigation>();
        if (!XdpGuard.IsInstalled(Options.Guard))
        {
            return;
        }
        try
        {
            _guard = XdpGuard.Open(Options.Guard, Options.Sensors.ObjectPath(XdpGuard.ObjectName));
            GuardSnapshot state = _guard.Snapshot();
            ProcessInfo self = ProcScanner.TryRead("/proc/self", (uint)Environment.ProcessId)
                ?? throw new GuardException("cannot read the agent's own /proc entry");
            Mitigation = new AutoMitigation(_guard, Options.Mitigation, _output, Identity(self), log);
            Mitigation.Start();
            log.LogInformation("xdp guard adopted on {Interfaces}: {Mode}, {Rules} rules, {Bans} bans; auto-mitigation above {Threshold} pps",
                string.Join(", ", state.Interfaces), state.Enforce ? "enforce" : "monitor", state.Rules.Count, state.Bans.Count, Options.Mitigation.ThresholdPps);
        }
        catch (Exception ex) when (ex is GuardException or BpfException or ArgumentException)
        {
            log.LogError("xdp guard degraded (its data plane keeps filtering): {Reason}", ex.Message);
            Mitigation?.Dispose();
            Mitigation = null;
            _guard?.Dispose();
            _guard = null;
        }
    }

    private static ProcessIdentity Identity(ProcessInfo p) => new()
    {
        Pid = p.Pid,
        Tid = p.Pid,
        ParentPid = p.ParentPid,
        Uid = p.Uid,
        Gid = p.Gid,
        EffectiveUid = p.Uid,
        EffectiveGid = p.Gid,
        CgroupId = p.CgroupId,
        Comm = p.Comm,
        ExecId = p.ExecId,
        ParentExecId = p.ParentExecId,
    };

    public static IEnumerable<Sensor> CreateSensors(IEventSink sink, ILoggerFactory logs) =>
    [
        new ProcessSensor(sink, logs.CreateLogger<ProcessSensor>()),
    ];

    public void Dispose()
    {
        Mitigation?.Dispose();
        _guard?.Dispose();
        _sensors.Dispose();
    }
}
