using Vigil.Testing;
using Vigil.Detection.Rules;

namespace Vigil.Detection.Tests;

/// <summary>Needs Falco's stable rules (see <see cref="FalcoRulesLocation"/>).</summary>
public sealed class StableRulesLoadTests(ITestOutputHelper output)
{
    [Fact]
    public void Stable_file_loads_without_errors()
    {
        RuleCheckReport report = RuleLoader.Check(FalcoRulesLocation.StableRules);
        output.WriteLine(report.ToString());
        Assert.Empty(report.Errors);
        Assert.DoesNotContain(report.Rules, r => r.State == RuleState.Error);
    }

    [Fact]
    public void Incubating_and_sandbox_files_load_on_top_without_errors()
    {
        RuleLoadResult result = RuleLoader.Load(
        [
            FalcoRulesLocation.StableRules,
            FalcoRulesLocation.File("falco-incubating_rules.yaml"),
            FalcoRulesLocation.File("falco-sandbox_rules.yaml"),
        ]);
        Assert.Empty(result.Report.Errors);
        Assert.True(result.Report.Count(RuleState.Active) > 40, result.Report.ToString());
    }

    [Theory]
    [InlineData("Read sensitive file untrusted")]
    [InlineData("Read sensitive file trusted after startup")]
    [InlineData("Run shell untrusted")]
    [InlineData("System user interactive")]
    [InlineData("Search Private Keys or Passwords")]
    [InlineData("Clear Log Activities")]
    [InlineData("Remove Bulk Data from Disk")]
    [InlineData("Create Symlink Over Sensitive Files")]
    [InlineData("Create Hardlink Over Sensitive Files")]
    [InlineData("Netcat Remote Code Execution in Container")]
    [InlineData("PTRACE attached to process")]
    [InlineData("PTRACE anti-debug attempt")]
    [InlineData("Find AWS Credentials")]
    [InlineData("Directory traversal monitored file read")]
    [InlineData("Terminal shell in container")]
    [InlineData("Linux Kernel Module Injection Detected")]
    [InlineData("Fileless execution via memfd_create")]
    [InlineData("Execution from /dev/shm")]
    [InlineData("Detect release_agent File Container Escapes")]
    public void Rules_whose_fields_Vigil_fills_are_active(string name)
    {
        RuleStatus? status = RuleLoader.Check(FalcoRulesLocation.StableRules).Find(name);
        Assert.NotNull(status);
        Assert.Equal(RuleState.Active, status.State);
    }

    [Theory]
    [InlineData("Drop and execute new binary in container", "proc.is_exe_upper_layer")]
    [InlineData("Contact K8S API Server From Container", "fd.sip.name")]
    public void Rules_needing_unfillable_fields_are_skipped_naming_the_field(string name, string field)
    {
        RuleStatus? status = RuleLoader.Check(FalcoRulesLocation.StableRules).Find(name);
        Assert.NotNull(status);
        Assert.Equal(RuleState.Skipped, status.State);
        Assert.Contains($"'{field}'", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Spawned_process_rules_are_indexed_by_exec_types()
    {
        RuleStatus? status = RuleLoader.Check(FalcoRulesLocation.StableRules).Find("Search Private Keys or Passwords");
        Assert.Equal(["execve", "execveat"], status!.EventTypes!.Order(StringComparer.Ordinal));
    }
}
