using Microsoft.Extensions.Logging;
using Vigil.Agent.Pipeline;
using Vigil.Correlation.Sequences;
using Vigil.Detection.Rules;
using Vigil.Enrichment.Containers;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Process;

namespace Vigil.Agent.Host;

/// <summary>
/// The node plane wired together: sensors -> enrichment (process tree, containers) -> analysis
/// (rules, baselines, correlation) -> the conclusion sink. Sensors that fail to load are reported;
/// rules and sequences with errors are reported and left out; the rest run.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    private readonly SensorHost _sensors;
    private readonly AnalysisPipeline _analysis;

    public NodeAgent(AgentOptions options, IConclusionSink output, ILoggerFactory logs)
    {
        ILogger log = logs.CreateLogger("vigil");
        Options = options;
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
        _sensors = new SensorHost(CreateSensors(new ProcessEnricher(Processes, _analysis, new ContainerResolver(Cgroups)), logs), logs.CreateLogger<SensorHost>());
    }

    public AgentOptions Options { get; }

    public ProcessCache Processes { get; }

    public CgroupDirectory Cgroups { get; }

    public RuleCheckReport Rules { get; }

    public IReadOnlyList<SequenceRule> Sequences { get; }

    public IReadOnlyList<Sensor> Sensors => _sensors.Sensors;

    public AnalysisPipeline Analysis => _analysis;

    /// <summary>Ring-buffer reserve failures of all sensors so far.</summary>
    public ulong KernelDrops => (ulong)_sensors.Sensors.Sum(s => (long)s.KernelDrops);

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
        _sensors.Dispose();
        await _analysis.DisposeAsync().ConfigureAwait(false);
    }
}
