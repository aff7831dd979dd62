using Vigil.Testing;
using Vigil.Detection.Rules;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

/// <summary>Vigil's own default rules (rules/vigil_rules.yaml) with their stateful fields.</summary>
public sealed class VigilRulesTests
{
    private static readonly string RulesPath = Path.Combine(FalcoRulesLocation.RepositoryRoot, "rules", "vigil_rules.yaml");

    private static RuleSet Load()
    {
        RuleLoadResult result = RuleLoader.Load([RulesPath]);
        Assert.Empty(result.Report.Errors);
        Assert.Equal(3, result.Report.Count(RuleState.Active));
        return result.RuleSet;
    }

    [Fact]
    public void Default_rules_load_alongside_the_stable_falco_rules()
    {
        RuleLoadResult result = RuleLoader.Load([FalcoRulesLocation.StableRules, RulesPath]);
        Assert.Empty(result.Report.Errors);
    }

    [Fact]
    public void First_outbound_connection_fires_once_per_binary()
    {
        RuleSet rules = Load();
        ProcessInfo curl = Process("/usr/bin/curl", ["curl", "https://example.com"], ShellSession(), pid: 4000);
        ProcessInfo wget = Process("/usr/bin/wget", ["wget", "x"], ShellSession(), pid: 4001);

        RuleDetection first = Assert.Single(rules.Evaluate(Connect(curl, "93.184.216.34", 443)));
        Assert.Equal("First outbound connection of a binary", first.RuleName);
        Assert.StartsWith("First outbound connection by /usr/bin/curl | connection=10.0.0.5:40000->93.184.216.34:443 proto=tcp", first.Output, StringComparison.Ordinal);
        Assert.Empty(rules.Evaluate(Connect(curl, "1.1.1.1", 443)));
        Assert.Single(rules.Evaluate(Connect(wget, "1.1.1.1", 80)));
    }

    [Fact]
    public void Loopback_connections_do_not_count()
    {
        RuleSet rules = Load();
        ProcessInfo client = Process("/usr/bin/psql", ["psql"], ShellSession(), pid: 4002);
        Assert.Empty(rules.Evaluate(Connect(client, "127.0.0.1", 5432, source: "127.0.0.1")));
    }

    [Fact]
    public void Exec_of_freshly_written_binary_fires_within_a_minute_only()
    {
        RuleSet rules = Load();
        ProcessInfo shell = ShellSession();
        Assert.Empty(rules.Evaluate(Open("/tmp/payload", FileIntent.Write | FileIntent.Create, shell, flags: 0x241, at: Now.AddSeconds(-10))));

        RuleDetection d = Assert.Single(rules.Evaluate(Exec("/tmp/payload", ["./payload"])));
        Assert.Equal("Exec of a binary written in the last minute", d.RuleName);
        Assert.StartsWith("Executed a binary written 10000 ms earlier | exe=/tmp/payload", d.Output, StringComparison.Ordinal);

        Assert.Empty(rules.Evaluate(Exec("/usr/bin/ls", ["ls"])));
        Assert.Empty(rules.Evaluate(Exec("/tmp/payload", ["./payload"], at: Now.AddMinutes(2))));
    }

    [Fact]
    public void Build_tools_running_their_output_are_excluded()
    {
        RuleSet rules = Load();
        ProcessInfo make = Process("/usr/bin/make", ["make"], ShellSession(), pid: 4100);
        rules.Evaluate(Open("/src/app", FileIntent.Write | FileIntent.Create, make, flags: 0x241));
        Assert.Empty(rules.Evaluate(Exec("/src/app", ["./app"], make, pid: 4101)));
    }

    [Fact]
    public void Connection_to_a_stratum_port_is_critical()
    {
        RuleSet rules = Load();
        ProcessInfo miner = Process("/tmp/.x/xmrig", ["xmrig", "-o", "pool:3333"], ShellSession(), pid: 4200);
        rules.Evaluate(Connect(miner, "10.9.9.9", 443));

        RuleDetection d = Assert.Single(rules.Evaluate(Connect(miner, "10.9.9.9", 3333)), x => x.RuleName == "Connection to a mining pool port");
        Assert.Equal(RulePriority.Critical, d.Priority);
        Assert.DoesNotContain(rules.Evaluate(Connect(miner, "10.9.9.9", 8080)), x => x.RuleName == "Connection to a mining pool port");
    }
}
