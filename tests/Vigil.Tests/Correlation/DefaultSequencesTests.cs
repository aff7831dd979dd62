using Vigil.Correlation.Sequences;
using Vigil.Detection.Rules;
using Vigil.Testing;
using Vigil.Tests.Support;

namespace Vigil.Tests.Correlation;

public sealed class DefaultSequencesTests
{
    [Fact]
    public void The_shipped_sequences_load_against_the_shipped_rules_and_name_only_rules_that_are_active()
    {
        string falco = FalcoRulesLocation.StableRules;
        RuleLoadResult rules = RuleLoader.Load([falco, Path.Combine(RepoPaths.Root, "rules", "vigil_rules.yaml")]);
        Assert.False(rules.Report.HasErrors, rules.Report.ToString());

        List<SequenceRule> sequences = SequenceRuleLoader.LoadFile(
            Path.Combine(RepoPaths.Root, "rules", "sequences", "default.yaml"), new RuleLanguageConditions(rules.Conditions));

        Assert.Equal(4, sequences.Count);
        var active = rules.RuleSet.Rules.Select(r => r.Name).ToHashSet();
        foreach (string named in sequences.SelectMany(s => s.Steps).SelectMany(s => s.Findings))
        {
            Assert.True(active.Contains(named), $"sequence step names '{named}', which is not an active rule");
        }
    }

    [Fact]
    public void A_step_condition_with_an_unknown_field_is_rejected_with_its_place()
    {
        RuleLoadResult rules = RuleLoader.LoadText("empty.yaml", "[]");
        const string Yaml = """
            - sequence: s
              within: 1m
              steps:
                - name: a
                  condition: evt.type = connect
                - name: b
                  condition: proc.colour = red
            """;
        var ex = Assert.Throws<SequenceRuleException>(() => SequenceRuleLoader.Load(Yaml, "s.yaml", new RuleLanguageConditions(rules.Conditions)));
        Assert.StartsWith("s.yaml:7:18: step 'b':", ex.Message, StringComparison.Ordinal);
        Assert.Contains("proc.colour", ex.Message, StringComparison.Ordinal);
    }
}
