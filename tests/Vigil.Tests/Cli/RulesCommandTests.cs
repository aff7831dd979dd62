using Vigil.Testing;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

public sealed class RulesCommandTests
{
    [Fact]
    public void Checking_the_stable_falco_rules_lists_every_rule_and_exits_0()
    {
        var (code, stdout, _) = CliProcess.Run("rules", "check", FalcoRulesLocation.StableRules);
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^ACTIVE\s+Read sensitive file untrusted: \(", stdout);
        Assert.Matches(@"(?m)^SKIPPED\s+Drop and execute new binary in container: .*proc\.is_exe_upper_layer", stdout);
        Assert.Matches(@"(?m)^\d+ rules: \d+ active, \d+ skipped, \d+ disabled; 0 errors$", stdout);
    }

    [Fact]
    public void A_broken_rule_is_reported_with_file_line_and_name_and_the_others_still_load()
    {
        string file = Path.Combine(Path.GetTempPath(), $"vigil-rules-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            - rule: good
              desc: fine
              condition: evt.type = execve and proc.name = nc
              output: nc ran (%proc.cmdline)
              priority: WARNING
            - rule: broken
              desc: unknown macro
              condition: evt.type = execve and no_such_macro
              output: x
              priority: WARNING
            """);
        try
        {
            var (code, stdout, _) = CliProcess.Run("rules", "check", file);
            Assert.Equal(1, code);
            Assert.Matches(@"(?m)^ACTIVE\s+good: \(execve\)", stdout);
            Assert.Contains(file + ":6", stdout, StringComparison.Ordinal);
            Assert.Contains("broken", stdout, StringComparison.Ordinal);
            Assert.Contains("no_such_macro", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var (code, stdout, _) = CliProcess.Run("rules", "check", "/nonexistent/rules.yaml");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/rules.yaml", stdout, StringComparison.Ordinal);
        Assert.Contains("file not found", stdout, StringComparison.Ordinal);
    }
}
