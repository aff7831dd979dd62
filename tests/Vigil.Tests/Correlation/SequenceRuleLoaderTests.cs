using Vigil.Correlation.Sequences;
using Vigil.Events;

namespace Vigil.Tests.Correlation;

public sealed class SequenceRuleLoaderTests
{
    /// <summary>Conditions are compiled by the rule engine; these tests only use rule-name steps.</summary>
    private sealed class NoConditions : IStepConditionCompiler
    {
        public Func<VigilEvent, bool> Compile(string condition) => throw new FormatException($"no conditions here: {condition}");
    }

    private const string Valid = """
        - sequence: credential read then call out
          title: Credentials read, then an outbound connection
          priority: CRITICAL
          within: 10m
          steps:
            - name: credential read
              rules: [Read sensitive file untrusted]
            - name: call out
              rules: [Outbound connection]
              join: process
              optional: false
        """;

    [Fact]
    public void A_valid_file_loads()
    {
        SequenceRule rule = Assert.Single(SequenceRuleLoader.Load(Valid, "seq.yaml", new NoConditions()));
        Assert.Equal("credential read then call out", rule.Name);
        Assert.Equal(TimeSpan.FromMinutes(10), rule.Within);
        Assert.Equal(StepJoin.Process, rule.Steps[1].Join);
        Assert.Contains("Outbound connection", rule.Steps[1].Findings);
        Assert.Equal("seq.yaml:1", rule.Source);
    }

    [Theory]
    [InlineData("within: 10m", "within: soon", "seq.yaml:4:11: sequence 'credential read then call out': within 'soon' is not a duration")]
    [InlineData("      join: process", "      join: sideways", "seq.yaml:10:13: step 'call out': join 'sideways' is not one of")]
    [InlineData("  priority: CRITICAL", "  priority: CRITICAL\n  colour: red", "seq.yaml:4:3: unknown key 'colour'")]
    [InlineData("      optional: false", "      optional: maybe", "seq.yaml:11:17: step 'call out': optional must be true or false")]
    [InlineData("      rules: [Outbound connection]", "      condition: evt.type = connect", "seq.yaml:9:18: step 'call out': no conditions here: evt.type = connect")]
    [InlineData("    - name: credential read", "    - name: [credential read", "seq.yaml")]
    public void Errors_name_the_file_line_and_column(string original, string replacement, string expected)
    {
        var ex = Assert.Throws<SequenceRuleException>(() => SequenceRuleLoader.Load(Valid.Replace(original, replacement, StringComparison.Ordinal), "seq.yaml", new NoConditions()));
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sequence_needs_two_steps_and_a_required_first()
    {
        string oneStep = Valid[..Valid.IndexOf("    - name: call out", StringComparison.Ordinal)];
        Assert.Contains("needs at least two steps", Assert.Throws<SequenceRuleException>(() => SequenceRuleLoader.Load(oneStep, "s", new NoConditions())).Message, StringComparison.Ordinal);
        string optionalFirst = Valid.Replace("      rules: [Read sensitive file untrusted]", "      rules: [Read sensitive file untrusted]\n      optional: true", StringComparison.Ordinal);
        Assert.Contains("first step cannot be optional", Assert.Throws<SequenceRuleException>(() => SequenceRuleLoader.Load(optionalFirst, "s", new NoConditions())).Message, StringComparison.Ordinal);
    }
}
