using Microsoft.Extensions.Logging;
using Vigil.Agent.Pipeline;
using Vigil.Bpf;
using Vigil.Correlation.Sequences;
using Vigil.Detection.Rules;
using Vigil.Enrichment.Containers;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Fleet;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Policy;
using Vigil.Sensors;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Privilege;
using Vigil.Sensors.Network;
using Vigil.Sensors.Process;

namespace Vigil.Agent.Host;

/// <summary>
/// The node plane wired together: sensors -> enrichment (process tree, containers) -> analysis
/// (rules, baselines, correlation) -> the conclusion sink, and, when the XDP guard is attached, its
/// auto-mitigation. Sensors that fail to load are reported; rules and sequences with errors are
/// reported and left out; the rest run.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    private readonly SensorHost _sensors;
    private readonly AnalysisPipeline _analysis;
    private readonly ILoggerFactory _logs;
    private XdpGuard? _guard;
    private PolicyDirectory? _policyDirectory;

    public NodeAgent(AgentOptions options, IConclusionSink output, ILoggerFactory logs)
    {
        ILogger log = logs.CreateLogger("vigil");
        Options = options;
        _logs = logs;
        RuleLoadResult rules = RuleLoader.Load(options.Analysis.RuleFiles);
        Rules = rules.Report;
        foreach (RuleException error in rules.Report.Errors)
        {
            log.LogError("rule error: {Error}", error);
        }
        Sequences = LoadSequences(options.Analysis.SequenceFiles, rules.Conditions, log);
        Processes = new ProcessCache(options.ProcessCacheSize);
        Cgroups = new CgroupDirectory();
        _analysis = new AnalysisPipeline(rules.RuleSet, Sequences, options.Analysis, output, () => KernelDrops);
        Enricher = new ProcessEnricher(Processes, _analysis, new ContainerResolver(Cgroups), options.LateContext);
        NetworkSensorOptions network = options.Network with { FlowCgroup = options.Network.FlowCgroup ?? Cgroups.MountPoint };
        _sensors = new SensorHost(CreateSensors(Enricher, Cgroups, logs, network), logs.CreateLogger<SensorHost>());
    }

    public AgentOptions Options { get; }

    public ProcessCache Processes { get; }

    public CgroupDirectory Cgroups { get; }

    /// <summary>Process context for every event; its <see cref="ProcessEnricher.Late"/> counts events that waited for it.</summary>
    public ProcessEnricher Enricher { get; }

    public RuleCheckReport Rules { get; }

    public IReadOnlyList<SequenceRule> Sequences { get; }

    public IReadOnlyList<Sensor> Sensors => _sensors.Sensors;

    public AnalysisPipeline Analysis => _analysis;

    /// <summary>The adopted XDP guard; null when none is attached or adoption failed.</summary>
    public XdpGuard? Guard => _guard;

    /// <summary>The fleet's nodes from the heartbeat bucket; null when the agent runs without --nats.</summary>
    public FleetStatus? Fleet { get; set; }

    /// <summary>Auto-mitigation of the adopted XDP guard; null when no guard is attached.</summary>
    public AutoMitigation? Mitigation { get; private set; }

    /// <summary>Overload sampling of the judging sensors; null before start.</summary>
    public OverloadSampling? Overload { get; private set; }

    /// <summary>The policies in force in the judging sensors' kernel tables; null before start.</summary>
    public PolicyEngine? Policies { get; private set; }

    /// <summary>How full each sensor's ring is (0 to 1), by ring map name.</summary>
    public IReadOnlyList<RingGauge> Rings => _sensors.Rings;

    /// <summary>Records a decoder threw on (skipped, counted).</summary>
    public long DecodeFaults => _sensors.ConsumerFaults;

    /// <summary>Ring-buffer reserve failures of all sensors so far.</summary>
    public ulong KernelDrops => (ulong)_sensors.Sensors.Sum(s => (long)s.KernelDrops);

    /// <summary>Seeds the process cache from /proc, starts the sensors, adopts the XDP guard; returns how many sensors run.</summary>
    public int Start(PhaseTimings timings)
    {
        ProcScanner.Seed(Processes, Cgroups);
        timings.Mark("processes");
        int running = _sensors.Start(Options.Sensors);
        timings.Mark("sensors");
        StartPolicies();
        timings.Mark("policies");
        StartGuard();
        timings.Mark("guard");
        return running;
    }

    /// <summary>Puts the policy directory in force in the sensors that run, and watches it.</summary>
    private void StartPolicies()
    {
        ILogger log = _logs.CreateLogger<PolicyEngine>();
        var tables = new Dictionary<EventFamily, PolicyTables>();
        foreach (JudgingSensor sensor in _sensors.Sensors.OfType<JudgingSensor>())
        {
            if (sensor.Tables is { } table && EventTypes.FamilyOfSensor(sensor.Name) is { } family)
            {
                tables[family] = table;
            }
        }
        Policies = new PolicyEngine(tables, new PolicyCompiler(Cgroups.IdOfPath), Network, path => Path.Combine(Cgroups.MountPoint, path.TrimStart('/')));
        _policyDirectory = new PolicyDirectory(Options.PolicyDirectory, Policies, ex =>
        {
            foreach (string problem in ex.Problems.Count > 0 ? ex.Problems.Select(p => p.ToString()) : [ex.Message])
            {
                log.LogError("policy refused, the policies in force stay as they were: {Problem}", problem);
            }
        });
        _policyDirectory.Load();
        _policyDirectory.Watch();
        Overload = new OverloadSampling(_sensors.Sensors.OfType<JudgingSensor>(), _analysis, SelfIdentity(), Options.Overload, _logs.CreateLogger<OverloadSampling>());
        Overload.Start();
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
            Mitigation = new AutoMitigation(_guard, Options.Mitigation, _analysis, SelfIdentity(), log);
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

    /// <summary>The agent itself as the acting process of the events it makes (bans, applied indicators).</summary>
    public static ProcessIdentity SelfIdentity() => Identity(ProcScanner.TryRead("/proc/self", (uint)Environment.ProcessId)
        ?? throw new GuardException("cannot read the agent's own /proc entry"));

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

    /// <summary>The network sensor: connections, flows (<see cref="NetworkSensor.Flows"/> answers top-flow queries), network filter and deny.</summary>
    public NetworkSensor? Network => _sensors.Sensors.OfType<NetworkSensor>().FirstOrDefault();

    /// <summary>The largest flows by bytes or packets, as of the last read-out (empty while the network sensor is not running).</summary>
    public IReadOnlyList<FlowSummary> TopFlows(int count, FlowOrder order = FlowOrder.Bytes) =>
        Network is { Status.State: SensorState.Running } network ? network.Flows.Top(count, order) : [];

    public static IEnumerable<Sensor> CreateSensors(IEventSink sink, ICgroupSink? cgroups, ILoggerFactory logs, NetworkSensorOptions network) =>
    [
        new ProcessSensor(sink, logs.CreateLogger<ProcessSensor>(), cgroups),
        new FileSensor(sink, logs.CreateLogger<FileSensor>()),
        new PrivilegeSensor(sink, logs.CreateLogger<PrivilegeSensor>()),
        new NetworkSensor(sink, network, logs.CreateLogger<NetworkSensor>()),
    ];

    private static List<SequenceRule> LoadSequences(IEnumerable<string> files, ConditionFactory conditions, ILogger log)
    {
        var sequences = new List<SequenceRule>();
        foreach (string file in files)
        {
            try
            {
                sequences.AddRange(SequenceRuleLoader.LoadFile(file, new RuleLanguageConditions(conditions)));
            }
            catch (Exception ex) when (ex is SequenceRuleException or IOException)
            {
                log.LogError("sequence file left out: {Error}", ex.Message);
            }
        }
        return sequences;
    }

    public async ValueTask DisposeAsync()
    {
        var timings = new PhaseTimings();
        Mitigation?.Dispose();
        _guard?.Dispose();
        _policyDirectory?.Dispose();
        Policies?.Dispose();
        Overload?.Dispose();
        timings.Mark("policies");
        _sensors.Dispose();
        timings.Mark("sensors");
        Enricher.Dispose();
        await _analysis.DisposeAsync().ConfigureAwait(false);
        timings.Mark("analysis");
        _logs.CreateLogger("vigil").LogInformation("node agent stopped in {Milliseconds} ms: {Phases}", timings.TotalMilliseconds, timings);
    }
}
