using System.Net;
using Vigil.Events;
using Vigil.Policy;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;
using Vigil.Tests.Support;

namespace Vigil.Tests.Policy;

public sealed class PolicyReaderTests
{
    private const string Header = "apiVersion: vigil.dev/v1\nkind: Policy\nmetadata:\n  name: p\nspec:\n";

    private static PolicyProblem OnlyProblem(string yaml)
    {
        PolicyException ex = Assert.Throws<PolicyException>(() => PolicyReader.Read("p.yaml", yaml));
        return Assert.Single(ex.Problems);
    }

    [Fact]
    public void Every_selector_and_action_field_is_read()
    {
        PolicyDocument policy = PolicyReader.Read("p.yaml", Header + """
              mode: enforce
              rules:
                - name: files
                  events: [open, rename]
                  match:
                    path: {exact: [/etc/shadow], prefix: [/etc/ssh/], suffix: [.key]}
                    intent: [read, truncate]
                    binary: {exact: [/usr/bin/cat], prefix: [/tmp/]}
                    parentBinary: {prefix: [/usr/sbin/]}
                    notUid: [0, 33]
                    notComm: [sshd]
                    processes: container
                    pidNamespace: [4026531836]
                    cgroup: [/system.slice]
                  action: rate-limit
                  rateLimit: {events: 5, interval: 500ms}
                  critical: true
                - name: net
                  events: [connect]
                  match:
                    destination: [169.254.169.254, 2001:db8::/32]
                    source: [10.0.0.0/8]
                    ports: [80, 8000-8080]
                  action: sample
                  sample: 10
            """);

        Assert.Equal(("p", PolicyMode.Enforce), (policy.Name, policy.Mode));
        PolicyRule files = policy.Rules[0];
        Assert.Equal(["open", "rename"], files.Events);
        Assert.Equal(["/etc/shadow"], files.Match.PathExact);
        Assert.Equal(["/etc/ssh/"], files.Match.PathPrefix);
        Assert.Equal([".key"], files.Match.PathSuffix);
        Assert.Equal(FileIntent.Read | FileIntent.Truncate, files.Match.Intent);
        Assert.Equal(["/usr/bin/cat"], files.Match.BinaryExact);
        Assert.Equal(["/usr/sbin/"], files.Match.ParentPrefix);
        Assert.Equal([0u, 33u], files.Match.NotUid);
        Assert.Equal(["sshd"], files.Match.NotComm);
        Assert.Equal(ProcessScope.Container, files.Match.Processes);
        Assert.Equal([4026531836UL], files.Match.PidNamespace);
        Assert.Equal((PolicyAction.RateLimit, 5u, TimeSpan.FromMilliseconds(500), true),
            (files.Action, files.RateLimitEvents, files.RateLimitInterval, files.Critical));
        PolicyRule net = policy.Rules[1];
        Assert.Equal([IPNetwork.Parse("169.254.169.254/32"), IPNetwork.Parse("2001:db8::/32")], net.Match.Destination);
        Assert.Equal([new PortRange(80, 80), new PortRange(8000, 8080)], net.Match.Ports);
        Assert.Equal((PolicyAction.Sample, 10u), (net.Action, net.SampleEvery));
    }

    [Fact]
    public void Unknown_fields_are_errors_at_their_line_and_column()
    {
        PolicyProblem problem = OnlyProblem(Header + "  rules:\n    - name: r\n      events: [open]\n      match:\n        paths: {prefix: [/etc/]}\n      action: post\n");
        Assert.Equal(new PolicyLocation("p.yaml", 10, 9), problem.Location);
        Assert.Contains("unknown field 'paths' in match", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("      events: [opne]\n      action: post\n", 8, 16, "unknown event type 'opne'")]
    [InlineData("      events: [connect]\n      match: {destination: [10.0.0.0/33]}\n      action: post\n", 9, 29, "prefix length must be 0 to 32")]
    [InlineData("      events: [connect]\n      match: {ports: [9000-8000]}\n      action: post\n", 9, 23, "port '9000-8000'")]
    [InlineData("      events: [open]\n      match: {intent: [append]}\n      action: post\n", 9, 24, "intent 'append'")]
    [InlineData("      events: [open]\n      match: {path: {prefix: [etc/]}}\n      action: post\n", 9, 31, "must be absolute")]
    [InlineData("      events: [open]\n      action: sample\n", 9, 15, "needs 'sample: N'")]
    [InlineData("      events: [open]\n      action: kill\n", 9, 15, "action 'kill'")]
    [InlineData("      events: [open]\n      action: rate-limit\n      rateLimit: {events: 3, interval: soon}\n", 10, 40, "interval 'soon'")]
    public void Bad_values_are_reported_where_they_are(string rule, int line, int column, string message)
    {
        PolicyProblem problem = OnlyProblem(Header + "  rules:\n    - name: r\n" + rule);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (problem.Location.Line, problem.Location.Column));
    }

    [Fact]
    public void Malformed_yaml_and_missing_fields_are_errors()
    {
        PolicyProblem malformed = OnlyProblem("apiVersion: vigil.dev/v1\nkind: Policy\nmetadata:\n  name: [\n");
        Assert.StartsWith("malformed YAML", malformed.Message, StringComparison.Ordinal);
        Assert.Equal(("p.yaml", 5), (malformed.Location.File, malformed.Location.Line));
        PolicyException missing = Assert.Throws<PolicyException>(() => PolicyReader.Read("p.yaml", "apiVersion: vigil.dev/v2\nkind: Policy\nmetadata: {name: Bad_Name}\nspec: {rules: []}\n"));
        Assert.Contains(missing.Problems, p => p.Message.Contains("apiVersion must be vigil.dev/v1", StringComparison.Ordinal));
        Assert.Contains(missing.Problems, p => p.Message.Contains("name 'Bad_Name'", StringComparison.Ordinal));
        Assert.Contains(missing.Problems, p => p.Message.Contains("'rules' must be a non-empty list", StringComparison.Ordinal));
    }

    [Fact]
    public void Compiling_refuses_rules_whose_parts_belong_to_different_sensors()
    {
        PolicyDocument policy = PolicyReader.Read("p.yaml", Header + """
              rules:
                - name: mixed
                  events: [open, setuid]
                - name: path-on-privilege
                  events: [ptrace]
                  match: {path: {prefix: [/etc/]}}
                - name: kill-network
                  events: [connect]
                  action: sigkill
                - name: deny-files
                  events: [open]
                  action: deny-connect
                - name: to-root-on-files
                  events: [open]
                  match: {toRoot: true}
                - name: unknown-cgroup
                  events: [open]
                  match: {cgroup: [/no-such-cgroup]}
            """);
        PolicyException ex = Assert.Throws<PolicyException>(() => new PolicyCompiler(_ => null).Compile([policy]));

        (int Line, string Message)[] expected =
        [
            (8, "its events must all be file, all privilege or all network"),
            (11, "selector 'path' does not apply to privilege events"),
            (14, "sigkill applies to file and privilege events"),
            (17, "deny-connect applies to connect events only"),
            (20, "selector 'toRoot' applies to the setuid and setgid family only"),
            (23, "cgroup '/no-such-cgroup' does not exist"),
        ];
        Assert.Equal(expected.Length, ex.Problems.Count);
        foreach (((int line, string message), PolicyProblem problem) in expected.Zip(ex.Problems))
        {
            Assert.Equal(line, problem.Location.Line);
            Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_sensor_holds_at_most_64_rules_in_force()
    {
        string rules = string.Concat(Enumerable.Range(0, 65).Select(i => $"    - name: r{i}\n      events: [open]\n      action: count\n"));
        PolicyDocument policy = PolicyReader.Read("p.yaml", Header + "  rules:\n" + rules);
        PolicyProblem problem = Assert.Single(Assert.Throws<PolicyException>(() => new PolicyCompiler(_ => null).Compile([policy])).Problems);
        Assert.Contains($"more than {JudgeLimits.Rules} file rules", problem.Message, StringComparison.Ordinal);
        Assert.Equal(7 + 64 * 3, problem.Location.Line);
    }

    [Fact]
    public void The_shipped_policies_are_valid_and_compile_together()
    {
        string[] files = [.. PolicyDirectory.Files(Path.Combine(RepoPaths.Root, "policies"))];
        Assert.True(files.Length >= 8);
        CompiledPolicies compiled = new PolicyCompiler(_ => null).Compile(files.Select(PolicyReader.ReadFile));
        Assert.NotEmpty(compiled.RulesOf(EventFamily.File));
        Assert.NotEmpty(compiled.RulesOf(EventFamily.Privilege));
        Assert.Contains(compiled.Network.Rules, r => r.Destinations.Contains(IPNetwork.Parse("169.254.169.254/32")));
    }
}
