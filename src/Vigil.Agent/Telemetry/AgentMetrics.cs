using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Prometheus;
using Vigil.Agent.Host;
using Vigil.Agent.Otlp;
using Vigil.Agent.Output;
using Vigil.Agent.Pipeline;
using Vigil.Bpf;
using Vigil.Detection.Rules;
using Vigil.Sensors;

namespace Vigil.Agent.Telemetry;

/// <summary>
/// The agent's self-monitoring on prometheus-net's default registry (served at /metrics): read from
/// the counters the agent keeps anyway, just before each scrape, so monitoring adds nothing to the
/// event path. Kernel run-time stats of BPF programs are switched on while this lives. The
/// process's CPU and resident memory are prometheus-net's own process_cpu_seconds_total and
/// process_working_set_bytes.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    private static readonly Counter Drops = Metrics.CreateCounter("vigil_drops_total",
        "Records lost, by stage: kernel_reserve (ring full, per sensor), decode (decoder faults), evaluation_queue, correlation_queue, sink_queue (per sink), export (records a sink failed to write)",
        "stage", "component");
    private static readonly Gauge RingFill = Metrics.CreateGauge("vigil_ringbuf_fill_ratio", "Share of each BPF ring buffer holding records not yet read", "ring");
    private static readonly Counter ProgramRuns = Metrics.CreateCounter("vigil_bpf_program_runs_total", "Runs of each BPF program (kernel run-time stats, enabled by the agent)", "sensor", "program");
    private static readonly Counter ProgramRunTime = Metrics.CreateCounter("vigil_bpf_program_run_time_seconds_total", "Time spent in each BPF program (kernel run-time stats)", "sensor", "program");
    private static readonly Counter ProgramMisses = Metrics.CreateCounter("vigil_bpf_program_recursion_misses_total", "Runs the kernel skipped because another BPF program was active on the CPU", "sensor", "program");
    private static readonly Gauge MapEntries = Metrics.CreateGauge("vigil_bpf_map_entries", "Keys in each hash-like BPF map", "sensor", "map");
    private static readonly Gauge MapCapacity = Metrics.CreateGauge("vigil_bpf_map_capacity_entries", "Capacity (max_entries) of each hash-like BPF map", "sensor", "map");
    private static readonly Gauge CacheEntries = Metrics.CreateGauge("vigil_process_cache_entries", "Processes in the process cache");
    private static readonly Gauge CacheCapacity = Metrics.CreateGauge("vigil_process_cache_capacity_entries", "Most processes the process cache holds");
    private static readonly Counter CacheEvictions = Metrics.CreateCounter("vigil_process_cache_evictions_total", "Processes evicted from the process cache (least recently used first)");
    private static readonly Gauge Rules = Metrics.CreateGauge("vigil_rules", "Detection rules by state (active, skipped, disabled, error)", "state");
    private static readonly Gauge Sequences = Metrics.CreateGauge("vigil_sequence_rules", "Sequence rules loaded");
    private static readonly Gauge SinkDepth = Metrics.CreateGauge("vigil_sink_queue_depth", "Records waiting in each sink's queue", "sink");
    private static readonly Gauge SinkCapacity = Metrics.CreateGauge("vigil_sink_queue_capacity", "Most records each sink's queue holds before dropping", "sink");
    private static readonly Gauge SinkLag = Metrics.CreateGauge("vigil_sink_lag_seconds", "How far behind each sink was at its last batch: age of the batch's oldest record", "sink");
    private static readonly Counter StoreWritten = Metrics.CreateCounter("vigil_store_records_written_total", "Records written to the edge store");
    private static readonly Counter StoreDeleted = Metrics.CreateCounter("vigil_store_records_deleted_total", "Records the edge store deleted for age or size");
    private static readonly Gauge StoreBytes = Metrics.CreateGauge("vigil_store_file_bytes", "Size of the edge store's database file");
    private static readonly Gauge StoreBudget = Metrics.CreateGauge("vigil_store_max_bytes", "The edge store's size budget");

    /// <summary>Every metric above, for the OTLP mirror.</summary>
    public static IReadOnlyList<Collector> Collectors { get; } =
    [
        Drops, RingFill, ProgramRuns, ProgramRunTime, ProgramMisses, MapEntries, MapCapacity, CacheEntries, CacheCapacity, CacheEvictions,
        Rules, Sequences, SinkDepth, SinkCapacity, SinkLag, StoreWritten, StoreDeleted, StoreBytes, StoreBudget,
    ];

    private static readonly BpfMapType[] HashLike = [BpfMapType.Hash, BpfMapType.LruHash, BpfMapType.PerCpuHash, BpfMapType.LruPerCpuHash, BpfMapType.LpmTrie, BpfMapType.HashOfMaps];

    private readonly NodeAgent _agent;
    private readonly IReadOnlyList<IConclusionSink> _sinks;
    private readonly SafeHandle? _runTimeStats;
    private readonly Lock _lock = new();
    private bool _disposed;

    public AgentMetrics(NodeAgent agent, IReadOnlyList<IConclusionSink> sinks, ILogger log)
    {
        _agent = agent;
        _sinks = sinks;
        try
        {
            _runTimeStats = BpfSystem.EnableRunTimeStats();
        }
        catch (BpfException ex)
        {
            log.LogWarning("BPF program run counts and times stay 0: {Reason}", ex.Message);
        }
        Metrics.DefaultRegistry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>Reads the agent's counters into the metrics; called by prometheus-net before each scrape, and by the OTLP mirror.</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            UpdateKernel();
            UpdatePipeline();
            UpdateSinks();
        }
    }

    private void UpdateKernel()
    {
        foreach (Sensor sensor in _agent.Sensors)
        {
            Drops.WithLabels("kernel_reserve", sensor.Name).IncTo(sensor.KernelDrops);
            foreach (BpfProgram program in sensor.Programs)
            {
                (ulong runs, ulong nanoseconds) = program.RunStats;
                ProgramRuns.WithLabels(sensor.Name, program.Name).IncTo(runs);
                ProgramRunTime.WithLabels(sensor.Name, program.Name).IncTo(nanoseconds / 1e9);
                ProgramMisses.WithLabels(sensor.Name, program.Name).IncTo(program.RecursionMisses);
            }
            foreach (BpfMap map in sensor.Maps.Where(m => HashLike.Contains(m.Type)))
            {
                MapEntries.WithLabels(sensor.Name, map.Name).Set(map.CountEntries());
                MapCapacity.WithLabels(sensor.Name, map.Name).Set(map.MaxEntries);
            }
        }
        foreach (RingGauge ring in _agent.Rings)
        {
            RingFill.WithLabels(ring.Name).Set(ring.Fill);
        }
    }

    private void UpdatePipeline()
    {
        Drops.WithLabels("decode", "ring_reader").IncTo(_agent.DecodeFaults);
        Drops.WithLabels("evaluation_queue", "rules").IncTo(_agent.Analysis.EvaluationDrops);
        Drops.WithLabels("correlation_queue", "correlator").IncTo(_agent.Analysis.CorrelationDrops);
        CacheEntries.Set(_agent.Processes.Count);
        CacheCapacity.Set(_agent.Processes.Capacity);
        CacheEvictions.IncTo(_agent.Processes.Evictions);
        foreach (RuleState state in Enum.GetValues<RuleState>())
        {
            Rules.WithLabels(state.ToString().ToLowerInvariant()).Set(_agent.Rules.Count(state));
        }
        Sequences.Set(_agent.Sequences.Count);
    }

    private void UpdateSinks()
    {
        foreach (ConclusionQueue sink in _sinks.OfType<ConclusionQueue>())
        {
            Drops.WithLabels("sink_queue", sink.Name).IncTo(sink.Dropped);
            SinkDepth.WithLabels(sink.Name).Set(sink.Depth);
            SinkCapacity.WithLabels(sink.Name).Set(sink.Capacity);
            SinkLag.WithLabels(sink.Name).Set(sink.Lag.TotalSeconds);
            Drops.WithLabels("export", sink.Name).IncTo(sink.Failed);
            if (sink is StoreSink store)
            {
                StoreWritten.IncTo(store.Store.Written);
                StoreDeleted.IncTo(store.Store.Deleted);
                // The file's size from the file system: the store's connection belongs to its drain thread.
                StoreBytes.Set(new FileInfo(store.Store.Path).Length);
                StoreBudget.Set(store.MaxBytes);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }
        _runTimeStats?.Dispose();
    }
}
