using Vigil.Correlation;
using Vigil.Correlation.Baselines;

namespace Vigil.Agent.Pipeline;

public sealed record AnalysisOptions
{
    /// <summary>Rule files in Falco's language, loaded together in order.</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];

    /// <summary>Sequence rule files (docs/correlation.md).</summary>
    public IReadOnlyList<string> SequenceFiles { get; init; } = [];

    /// <summary>Rule-evaluation threads; events of one process always go to the same one.</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Events waiting per evaluation thread, and signals waiting for the correlator, before drops are counted.</summary>
    public int QueueCapacity { get; init; } = 16384;

    /// <summary>How long events wait to be put back in event-time order across sensors before correlation (adds to time to detect).</summary>
    public TimeSpan ReorderWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    public CorrelatorOptions Correlation { get; init; } = new();

    public BaselineOptions Baselines { get; init; } = new();

    /// <summary>Shipped defaults: rules/*.yaml and rules/sequences/*.yaml next to the agent.</summary>
    public static AnalysisOptions Defaults(string baseDirectory) => new()
    {
        RuleFiles = Files(Path.Combine(baseDirectory, "rules")),
        SequenceFiles = Files(Path.Combine(baseDirectory, "rules", "sequences")),
    };

    private static string[] Files(string directory) =>
        Directory.Exists(directory) ? [.. Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal)] : [];
}
