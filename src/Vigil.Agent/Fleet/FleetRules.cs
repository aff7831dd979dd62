using Vigil.Agent.Host;
using Vigil.Detection.Rules;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Rule files from the fleet's rules bucket, loaded after the local ones exactly as local files are
/// (same reader, compiler and checks). A revision with any error in the fleet's files is rejected
/// whole; an accepted one replaces the detection rules in one swap.
/// </summary>
public sealed class FleetRules(NodeAgent agent)
{
    /// <summary>Files from the bucket are named <c>fleet:KEY</c> in errors and rule locations.</summary>
    public const string Prefix = "fleet:";

    public IReadOnlyList<string> Apply(IReadOnlyDictionary<string, string> files)
    {
        IEnumerable<RuleFileContent> local = agent.Options.Analysis.RuleFiles.Select(RuleFileReader.ReadFile);
        IEnumerable<RuleFileContent> fleet = files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => RuleFileReader.Read(Prefix + f.Key, f.Value));
        RuleLoadResult loaded = RuleLoader.Load(local.Concat(fleet), new RuleLoadOptions { Environment = agent.Analysis.Rules.Environment });
        List<string> errors = [.. loaded.Report.Errors
            .Where(e => e.Location is { } at && at.File.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(e => e.ToString())];
        if (errors.Count == 0)
        {
            agent.Analysis.ReplaceRules(loaded.RuleSet);
        }
        return errors;
    }
}
