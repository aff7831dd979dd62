using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Network;

/// <summary>
/// TCP connect, accept and close with addresses, ports, bytes and the owning process; packets and
/// bytes per flow counted in the kernel and read out on an interval (UDP flows become flow-summary
/// events, every flow feeds <see cref="Flows"/>); events judged in the kernel by the
/// <see cref="NetworkFilter"/> in force; connects refused by its deny rules in the cgroups handed to
/// <see cref="DenyConnects"/>.
/// </summary>
public sealed class NetworkSensor(IEventSink sink, NetworkSensorOptions options, ILogger<NetworkSensor> logger) : Sensor(logger)
{
    private readonly IEventSink _sink = sink;
    private readonly Lock _lock = new();
    private readonly List<ConnectDenial> _denials = [];
    private BpfObject? _object;
    private NetworkFilterMaps? _filter;
    private CompiledNetworkFilter _pending = NetworkFilterCompiler.Compile(NetworkFilter.None);
    private Thread? _flowThread;
    private CancellationTokenSource? _stopFlows;
    private FlowCollector? _collector;

    public override string Name => "network";

    public NetworkDecoder Decoder { get; } = new(sink);

    public NetworkSensorOptions Options { get; } = options;

    /// <summary>Every flow with its totals since first seen, for top-flow queries.</summary>
    public FlowTable Flows { get; } = new(options.FlowTableCapacity, options.FlowIdle);

    /// <summary>The filter in force (or to be written when the sensor starts).</summary>
    public NetworkFilter Filter { get; private set; } = NetworkFilter.None;

    /// <summary>The filter generation in force in the kernel; 0 before any filter was applied.</summary>
    public uint Generation
    {
        get
        {
            lock (_lock)
            {
                return _filter?.Generation ?? 0;
            }
        }
    }

    protected override string ObjectName => "network";

    /// <summary>
    /// Validates and compiles <paramref name="filter"/>, writes it beside the one in force and swaps
    /// it in with one word, so every event is judged wholly by the old or wholly by the new one. On
    /// any error (<see cref="NetworkFilterException"/>) the filter in force stays as it was.
    /// </summary>
    public void Apply(NetworkFilter filter)
    {
        CompiledNetworkFilter compiled = NetworkFilterCompiler.Compile(filter);
        lock (_lock)
        {
            _filter?.Swap(compiled, RuleNames(filter));
            _pending = compiled;
            Filter = filter;
        }
    }

    private static string[] RuleNames(NetworkFilter filter) => [.. filter.Rules.Select(r => r.Name)];

    /// <summary>
    /// Attaches the connect hooks to the cgroup v2 directory <paramref name="cgroupPath"/>: connects
    /// from its processes that a deny rule selects fail with EPERM. Disposing the result (or the
    /// sensor) detaches them.
    /// </summary>
    public IDisposable DenyConnects(string cgroupPath)
    {
        lock (_lock)
        {
            BpfObject obj = _object ?? throw new InvalidOperationException("the network sensor is not running");
            var denial = new ConnectDenial(this, cgroupPath, [.. obj.Programs.Where(p => p.Section.StartsWith("cgroup/connect", StringComparison.Ordinal))]);
            _denials.Add(denial);
            return denial;
        }
    }

    /// <summary>What the kernel counted: shipped, filtered, denied, lost flow packets, matches per rule.</summary>
    public NetworkCounters Counters
    {
        get
        {
            lock (_lock)
            {
                return _filter is null ? new NetworkCounters(0, 0, 0, 0, 0, new Dictionary<string, ulong>()) : _filter.Counters(_collector?.FilteredSummaries ?? 0);
            }
        }
    }

    protected override void Configure(BpfObject obj, SensorOptions sensorOptions)
    {
        Options.Validate();
        obj.Map("flows").SetMaxEntries(Options.KernelFlows);
        obj.SetGlobal("vigil_count_flows", (byte)(Options.FlowCgroup is null ? 0 : 1));
    }

    protected override void CheckRecordLayouts(BtfInfo btf)
    {
        btf.CheckLayout<ConnRecord>("vigil_conn_record");
        btf.CheckLayout<SockOwner>("vigil_sock_owner");
        btf.CheckLayout<FlowKey>("vigil_flow_key");
        btf.CheckLayout<FlowCounters>("vigil_flow_counters");
        btf.CheckLayout<NetState>("vigil_net_state");
        btf.CheckLayout<NetConfig>("vigil_net_config");
        btf.CheckLayout<NetKeyV4>("vigil_net_key_v4");
        btf.CheckLayout<NetKeyV6>("vigil_net_key_v6");
        btf.CheckLayout<NetKeyPort>("vigil_net_key_port");
    }

    /// <summary>Tracepoints attach where they are; flow counting to the flow cgroup; connect hooks only on demand.</summary>
    protected override BpfLink? Attach(BpfProgram program)
    {
        if (program.Section.StartsWith("cgroup/connect", StringComparison.Ordinal))
        {
            return null;
        }
        if (program.Section.StartsWith("cgroup", StringComparison.Ordinal))
        {
            return Options.FlowCgroup is null ? null : program.AttachCgroup(Options.FlowCgroup);
        }
        return program.Attach();
    }

    protected override void Connect(BpfObject obj, RingBufferReader reader)
    {
        lock (_lock)
        {
            _object = obj;
            _filter = new NetworkFilterMaps(obj);
            if (Filter.Rules.Count > 0)
            {
                _filter.Swap(_pending, RuleNames(Filter));
            }
        }
        reader.Add(obj.Map("network_events"), Decoder);
        if (Options.FlowCgroup is not null)
        {
            _collector = new FlowCollector(obj.Map("flows"), Flows, _sink);
            _stopFlows = new CancellationTokenSource();
            _flowThread = new Thread(() => CollectFlows(_collector, _stopFlows.Token)) { Name = "vigil-flows", IsBackground = true };
            _flowThread.Start();
        }
    }

    /// <summary>Reads the flow map now (the read-out thread also does, every interval).</summary>
    public void CollectFlows()
    {
        lock (_lock)
        {
            _collector?.Collect();
        }
    }

    private void CollectFlows(FlowCollector collector, CancellationToken stop)
    {
        while (!stop.WaitHandle.WaitOne(Options.FlowInterval))
        {
            try
            {
                lock (_lock)
                {
                    collector.Collect();
                }
            }
            catch (BpfException ex)
            {
                Logger.LogError("network flows: read-out failed: {Reason}", ex.Message);
            }
        }
    }

    protected override void Stop()
    {
        _stopFlows?.Cancel();
        _flowThread?.Join();
        _stopFlows?.Dispose();
        _stopFlows = null;
        _flowThread = null;
        lock (_lock)
        {
            foreach (ConnectDenial denial in _denials.ToList())
            {
                denial.Dispose();
            }
            _collector = null;
            _filter = null;
            _object = null;
        }
    }

    /// <summary>The connect hooks on one cgroup; disposing detaches both.</summary>
    private sealed class ConnectDenial : IDisposable
    {
        private readonly NetworkSensor _sensor;
        private readonly List<BpfLink> _links = [];

        public ConnectDenial(NetworkSensor sensor, string cgroupPath, IReadOnlyList<BpfProgram> programs)
        {
            _sensor = sensor;
            try
            {
                foreach (BpfProgram program in programs)
                {
                    _links.Add(program.AttachCgroup(cgroupPath));
                }
            }
            catch
            {
                DetachAll();
                throw;
            }
        }

        public void Dispose()
        {
            lock (_sensor._lock)
            {
                _sensor._denials.Remove(this);
                DetachAll();
            }
        }

        private void DetachAll()
        {
            foreach (BpfLink link in _links)
            {
                link.Dispose();
            }
            _links.Clear();
        }
    }
}
