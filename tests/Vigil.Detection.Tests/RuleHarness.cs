using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Detection.Tests;

/// <summary>Loads small rule files from text and evaluates one condition against one event.</summary>
public static class RuleHarness
{
    public static RuleLoadResult Load(string yaml, bool strict = false) =>
        RuleLoader.LoadText("test.yaml", yaml, new RuleLoadOptions { Strict = strict });

    public static string RuleYaml(string name, string condition, string output = "matched %proc.name") =>
        $"""
        - rule: {name}
          desc: test
          condition: {Quote(condition)}
          output: {Quote(output)}
          priority: WARNING
        """;

    public static bool Matches(string condition, VigilEvent e, string prelude = "")
    {
        RuleLoadResult result = Load(prelude + "\n" + RuleYaml("under test", condition));
        RuleStatus status = result.Report.Find("under test")!;
        Assert.True(status.State == RuleState.Active, $"{status.State}: {status.Reason}\n{result.Report}");
        return result.RuleSet.Evaluate(e).Count == 1;
    }

    public static RuleStatus StatusOf(string condition, string prelude = "") =>
        Load(prelude + "\n" + RuleYaml("under test", condition)).Report.Find("under test")!;

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
