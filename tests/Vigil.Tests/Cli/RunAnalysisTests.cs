using System.Text.Json;
using Vigil.Testing;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

/// <summary>The whole agent on the real kernel: sensors, enrichment, Falco's rules, correlation.</summary>
public sealed class RunAnalysisTests
{
    [Fact]
    public void A_stable_falco_rule_fires_on_real_processes_and_two_linked_detections_become_an_incident()
    {
        KernelRequirement.Check();
        using var agent = new CliProcess(["run", "--rules", FalcoRulesLocation.StableRules]);
        agent.WaitUntilRunning();
        string marker = Children.Marker();

        // One shell session searching for keys twice: two detections, siblings under the same shell.
        Children.Run("/bin/sh", "-c", $"grep -r 'BEGIN RSA PRIVATE' /dev/null/{marker}; find /nonexistent/{marker} -name id_rsa; exit 0");

        using JsonDocument grep = JsonDocument.Parse(agent.WaitForLine(l => l.Contains("\"event.name\":\"detection\"", StringComparison.Ordinal) && l.Contains("grep", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(5)));
        JsonElement d = grep.RootElement;
        Assert.Equal("Search Private Keys or Passwords", d.GetProperty("rule.name").GetString());
        Assert.Equal("WARNING", d.GetProperty("vigil.rule.priority").GetString());
        Assert.Equal("process.exec", d.GetProperty("vigil.event").GetProperty("event.name").GetString());
        Assert.Equal("grep", d.GetProperty("vigil.rule.fields").GetProperty("proc.name").GetString());

        using JsonDocument incident = JsonDocument.Parse(agent.WaitForLine(l => l.Contains("\"event.name\":\"incident\"", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(5)));
        JsonElement i = incident.RootElement;
        JsonElement timeline = i.GetProperty("vigil.incident.timeline");
        Assert.Equal(2, timeline.EnumerateArray().Count(s => s.GetProperty("kind").GetString() == "detection"));
        Assert.Equal("/usr/bin/grep", i.GetProperty("vigil.incident.root_cause").GetProperty("process.executable.path").GetString());
        Assert.Contains(i.GetProperty("vigil.incident.chain").EnumerateArray(), e => e.GetProperty("reason").GetString() == "Sibling");
        Assert.InRange(i.GetProperty("vigil.incident.confidence").GetDouble(), 0.3, 1.0);

        agent.Signal(15);
        Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_rule_file_that_does_not_exist_is_named_and_nothing_starts()
    {
        var (code, _, stderr) = CliProcess.Run("run", "--rules", "/nonexistent/extra.yaml");
        Assert.Equal(64, code);
        Assert.Contains("rule file /nonexistent/extra.yaml does not exist", stderr, StringComparison.Ordinal);
    }
}
