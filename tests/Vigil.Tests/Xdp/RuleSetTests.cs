using System.Net;
using Vigil.Guard;
using Vigil.Guard.Rules;

namespace Vigil.Tests.Xdp;

public sealed class RuleSetTests
{
    [Theory]
    [InlineData("10.0.0.300/24", "not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/33", "prefix length must be 0 to 32")]
    [InlineData("10.0.0.1/24", "host bits set; the network is 10.0.0.0/24")]
    [InlineData("fd00::1/64", "host bits set; the network is fd00::/64")]
    [InlineData("", "empty")]
    public void Invalid_cidrs_are_refused_with_the_reason(string text, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => Cidr.Parse(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_address_is_a_host_network()
    {
        Assert.Equal("10.1.2.3/32", Cidr.Parse("10.1.2.3").ToString());
        Assert.Equal("fd00::7/128", Cidr.Parse("fd00::7").ToString());
        Assert.True(Cidr.Parse("10.1.0.0/16").Contains(IPAddress.Parse("10.1.200.9")));
        Assert.False(Cidr.Parse("10.1.0.0/16").Contains(IPAddress.Parse("10.2.0.1")));
    }

    [Fact]
    public void A_rule_file_reports_every_problem_with_where_it_is()
    {
        const string yaml = """
            mode: enforce
            default: maybe
            deny: [10.0.0.0/8, 300.1.1.1]
            rules:
              - name: web
                protocol: tcp
                ports: 70000
                action: drop
              - name: ping
                protocol: icmp
                icmp-type: echo-request
                tcp-flags: syn
                action: drop
              - name: flood
                protocol: udp
                action: limit
            """;
        var ex = Assert.Throws<RuleSetException>(() => RuleSetFile.Parse(yaml, "guard.yaml"));
        Assert.Contains("guard.yaml:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("default: 'maybe' is not pass or drop", ex.Message, StringComparison.Ordinal);
        Assert.Contains("deny[1]: '300.1.1.1' is not a CIDR", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rules[0] (web): ports '70000'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rules[1] (ping): tcp-flags need protocol tcp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rules[2] (flood): rate must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_errors_name_line_and_column()
    {
        var ex = Assert.Throws<RuleSetException>(() => RuleSetFile.Parse("rules:\n  - name: x\n    colour: red\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml:3:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_rule_file_compiles_to_rules_the_kernel_reads()
    {
        RuleSet set = RuleSetFile.Parse("""
            mode: monitor
            default: drop
            sample-every: 8
            allow: [10.0.0.5]
            deny: [10.0.0.0/24]
            rules:
              - name: no-ping
                protocol: icmp
                icmp-type: echo-request
                action: drop
              - name: ssh-syn
                protocol: tcp
                source: 192.168.0.0/16
                ports: 22
                tcp-flags: syn,!ack
                action: drop
              - name: dns
                protocol: udp
                ports: 53
                action: limit
                rate: 1000
                per-prefix-v4: 24
            """, "ok.yaml");
        Assert.False(set.Enforce);
        Assert.Equal(GuardAction.Drop, set.DefaultAction);
        CompiledRuleSet compiled = RuleCompiler.Compile(set, 100, 100);
        Assert.Equal(3u, compiled.Config.RuleCount);
        Assert.Equal(0u, compiled.Config.Enforce);
        GuardRule ssh = RuleCompiler.Decompile(compiled.Rules[1]);
        Assert.Equal("ssh-syn: drop protocol tcp source 192.168.0.0/16 port 22 tcp-flags syn,!ack", RuleText.Describe(ssh));
        Assert.Equal(1_000_000UL, compiled.Rules[2].IntervalNs);
        Assert.Equal(100UL * 1_000_000, compiled.Rules[2].ToleranceNs); // default burst: a tenth of the rate
        Assert.Equal((byte)8, compiled.Rules[0].IcmpType);
    }

    [Fact]
    public void Allow_wins_is_settled_by_the_compiler()
    {
        var set = new RuleSet
        {
            Allow = [Cidr.Parse("10.0.0.0/8"), Cidr.Parse("192.168.1.7")],
            Deny = [Cidr.Parse("10.1.0.0/16"), Cidr.Parse("10.0.0.0/8"), Cidr.Parse("192.168.1.0/24"), Cidr.Parse("172.16.0.0/12")],
        };
        CompiledRuleSet compiled = RuleCompiler.Compile(set, 100, 100);
        Assert.Equal(
            ["10.0.0.0/8 Pass", "192.168.1.7/32 Pass", "192.168.1.0/24 Drop", "172.16.0.0/12 Drop"],
            compiled.V4.Select(e => $"{e.Cidr} {e.Action}"));
    }

    [Fact]
    public void A_rule_set_over_the_map_size_is_refused_before_the_kernel()
    {
        var set = new RuleSet { Deny = [.. Enumerable.Range(0, 11).Select(i => Cidr.Parse($"10.0.{i}.0/24"))] };
        var ex = Assert.Throws<RuleSetException>(() => RuleCompiler.Compile(set, 10, 10));
        Assert.Contains("11 IPv4 prefixes, the map holds 10 per rule set", ex.Message, StringComparison.Ordinal);
    }
}
