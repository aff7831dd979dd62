using Vigil.Detection.Rules;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

public sealed class ErrorReportingTests
{
    private const string Good = """
        - rule: Good
          desc: fine
          condition: evt.type = execve and proc.name = nc
          output: nc ran
          priority: WARNING
        """;

    [Fact]
    public void Malformed_yaml_reports_file_and_line()
    {
        RuleLoadResult result = RuleHarness.Load("- rule: x\n  condition: [unclosed\n");
        RuleException error = Assert.Single(result.Report.Errors);
        Assert.Equal("test.yaml", error.Location!.Value.File);
        Assert.True(error.Location.Value.Line >= 2);
        Assert.Contains("malformed YAML", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no_such_macro and proc.name = a", "unknown macro 'no_such_macro'")]
    [InlineData("proc.nmae = a", "unknown field 'proc.nmae'")]
    [InlineData("proc.pid = many", "type mismatch")]
    [InlineData("proc.name glob '[x'", "bad glob")]
    [InlineData("proc.name regex '(x'", "bad regex")]
    [InlineData("proc.name = a and (", "unexpected end of condition")]
    public void Broken_rule_is_isolated_and_located(string condition, string message)
    {
        RuleLoadResult result = RuleHarness.Load(Good + "\n" + RuleHarness.RuleYaml("Broken", condition));
        RuleException error = Assert.Single(result.Report.Errors);
        Assert.Equal("Broken", error.ItemName);
        Assert.Equal(new SourceLocation("test.yaml", 6, 3), error.Location);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("test.yaml:6:3: 'Broken': ", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(RuleState.Active, result.Report.Find("Good")!.State);
        Assert.Single(result.RuleSet.Evaluate(Exec("/usr/bin/nc", ["nc"])));
    }

    [Fact]
    public void Broken_macro_is_reported_at_its_definition()
    {
        RuleLoadResult result = RuleHarness.Load("- macro: bad\n  condition: proc.name = (\n" + Good);
        Assert.Contains(result.Report.Errors, e => e.ItemName == "bad" && e.Location!.Value.Line == 1);
        Assert.Equal(RuleState.Active, result.Report.Find("Good")!.State);
    }

    [Fact]
    public void Missing_keys_are_errors_for_that_rule_only()
    {
        RuleLoadResult result = RuleHarness.Load(Good + "\n- rule: NoOutput\n  condition: proc.name = a\n  priority: INFO\n");
        Assert.Contains(result.Report.Errors, e => e.ItemName == "NoOutput" && e.Message.Contains("no output", StringComparison.Ordinal));
        Assert.Equal(RuleState.Active, result.Report.Find("Good")!.State);
    }

    [Fact]
    public void Strict_mode_fails_the_load()
    {
        string yaml = Good + "\n" + RuleHarness.RuleYaml("Broken", "proc.nmae = a");
        RuleException e = Assert.Throws<RuleException>(() => RuleHarness.Load(yaml, strict: true));
        Assert.Contains("test.yaml:6:3: 'Broken': unknown field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_mode_accepts_skipped_rules()
    {
        RuleLoadResult result = RuleHarness.Load(Good + "\n" + RuleHarness.RuleYaml("Sid", "proc.sid != 0"), strict: true);
        Assert.Equal(RuleState.Skipped, result.Report.Find("Sid")!.State);
    }

    [Theory]
    [InlineData("proc.sid != 0", "field 'proc.sid' is not supported")]
    [InlineData("evt.arg[0] = x", "field 'evt.arg[0]' is not supported")]
    [InlineData("k8s.pod.name = x", "field 'k8s.pod.name' is not supported")]
    [InlineData("proc.name bcontains 6364", "operator 'bcontains' is not supported")]
    [InlineData("toupper(proc.name) = X", "transformer 'toupper()'")]
    [InlineData("proc.name = val(proc.pname)", "transformer 'val()'")]
    public void Unsupported_constructs_skip_the_rule_naming_them(string condition, string reason)
    {
        RuleStatus status = RuleHarness.StatusOf(condition);
        Assert.Equal(RuleState.Skipped, status.State);
        Assert.Contains(reason, status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_syscall_sources_are_skipped()
    {
        RuleLoadResult result = RuleHarness.Load("- rule: Audit\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: INFO\n  source: k8s_audit\n");
        Assert.Equal(RuleState.Skipped, result.Report.Find("Audit")!.State);
        Assert.Empty(result.Report.Errors);
    }

    [Fact]
    public void Report_renders_states_and_summary()
    {
        string text = RuleHarness.Load(Good + "\n" + RuleHarness.RuleYaml("Sid", "proc.sid != 0")).Report.ToString();
        Assert.Contains("ACTIVE   Good: (execve)", text, StringComparison.Ordinal);
        Assert.Contains("SKIPPED  Sid: field 'proc.sid' is not supported", text, StringComparison.Ordinal);
        Assert.Contains("2 rules: 1 active, 1 skipped, 0 disabled; 0 errors", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_an_error_not_a_crash()
    {
        RuleCheckReport report = RuleLoader.Check("/nonexistent/rules.yaml");
        Assert.Contains(report.Errors, e => e.Message == "file not found");
    }

    [Fact]
    public void Top_level_settings_are_tolerated()
    {
        RuleLoadResult result = RuleHarness.Load("- required_engine_version: 0.57.0\n- required_plugin_versions:\n    - name: container\n      version: 0.4.0\n" + Good);
        Assert.Empty(result.Report.Errors);
    }
}
