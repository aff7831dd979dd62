using Microsoft.Extensions.Logging;
using Vigil.Enrichment.Containers;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Process;

namespace Vigil.Agent.Host;

/// <summary>
/// The node plane wired together: sensors -> process enrichment -> the given sink.
/// Sensors that fail to load are reported; the rest run.
/// </summary>
public sealed class NodeAgent : IDisposable
{
    private readonly SensorHost _sensors;

    public NodeAgent(AgentOptions options, IEventSink output, ILoggerFactory logs)
    {
        Options = options;
        Processes = new ProcessCache(options.ProcessCacheSize);
        Cgroups = new CgroupDirectory();
        var enricher = new ProcessEnricher(Processes, output, new ContainerResolver(Cgroups));
        _sensors = new SensorHost(CreateSensors(enricher, logs), logs.CreateLogger<SensorHost>());
    }

    public AgentOptions Options { get; }

    public ProcessCache Processes { get; }

    public CgroupDirectory Cgroups { get; }

    public IReadOnlyList<Sensor> Sensors => _sensors.Sensors;

    /// <summary>Seeds the process cache from /proc, then starts the sensors; returns how many run.</summary>
    public int Start()
    {
        ProcScanner.Seed(Processes, Cgroups);
        return _sensors.Start(Options.Sensors);
    }

    public static IEnumerable<Sensor> CreateSensors(IEventSink sink, ILoggerFactory logs) =>
    [
        new ProcessSensor(sink, logs.CreateLogger<ProcessSensor>()),
    ];

    public void Dispose() => _sensors.Dispose();
}
