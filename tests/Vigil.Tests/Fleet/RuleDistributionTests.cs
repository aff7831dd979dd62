using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>Rules distributed through the fleet's rules bucket to running agents on the real kernel.</summary>
public sealed class RuleDistributionTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "vigil-rules-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<CliProcess> _agents = [];

    [Fact]
    public async Task Every_agent_applies_a_rule_revision_from_the_bucket_and_rejects_a_bad_one_keeping_the_previous_in_force()
    {
        KernelRequirement.Check();
        using var nats = new NatsServer();
        string cluster = "rules" + Guid.NewGuid().ToString("N")[..6];
        string marker = Children.Marker();
        foreach (string node in new[] { "node-1", "node-2" })
        {
            var agent = new CliProcess(["run", "--nats", nats.Url, "--cluster", cluster, "--node", node, "--fleet-spool", Path.Combine(_work, node),
                "--api", "none", "--store", "none", "--pin-root", Path.Combine("/sys/fs/bpf", "vigil-none-" + Guid.NewGuid().ToString("N")[..8])]);
            _agents.Add(agent);
            agent.WaitUntilRunning();
        }
        await using var client = new NatsConnection(new NatsOpts { Url = nats.Url });
        var js = new NatsJSContext(client);
        var names = new FleetSubjects(cluster);
        INatsKVStore bucket = await new NatsKVContext(js).CreateOrUpdateStoreAsync(new NatsKVConfig(names.RulesBucket) { History = 10 }, TestContext.Current.CancellationToken);

        ulong good = await bucket.PutAsync("marker.yaml", Encoding.UTF8.GetBytes($"""
            - rule: Fleet marker
              desc: distributed by the test
              condition: evt.type = execve and proc.cmdline contains "{marker}"
              output: "fleet rule saw %proc.cmdline"
              priority: WARNING
            """), cancellationToken: TestContext.Current.CancellationToken);
        foreach (CliProcess agent in _agents)
        {
            agent.WaitForStderr($"revision {good} in force", TimeSpan.FromSeconds(20));
        }
        Children.Run("/bin/echo", marker + "-first");
        foreach (CliProcess agent in _agents)
        {
            agent.WaitForLine(l => l.Contains("\"rule.name\":\"Fleet marker\"", StringComparison.Ordinal) && l.Contains(marker + "-first", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }

        ulong bad = await bucket.PutAsync("marker.yaml", Encoding.UTF8.GetBytes("""
            - rule: Fleet marker
              desc: a broken revision
              condition: evt.type = execve and (proc.cmdline contains
              output: "never"
              priority: WARNING
            """), cancellationToken: TestContext.Current.CancellationToken);
        foreach (CliProcess agent in _agents)
        {
            agent.WaitForStderr($"revision {bad} rejected, revision {good} stays in force", TimeSpan.FromSeconds(20));
        }
        Children.Run("/bin/echo", marker + "-second");
        foreach (CliProcess agent in _agents)
        {
            agent.WaitForLine(l => l.Contains("\"rule.name\":\"Fleet marker\"", StringComparison.Ordinal) && l.Contains(marker + "-second", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }

        List<RevisionReport> reports = await Reports(js, names, count: 4);
        Assert.Equal(["node-1 accepted", "node-1 rejected", "node-2 accepted", "node-2 rejected"],
            reports.Select(r => $"{r.Node} {r.Outcome}").Order(StringComparer.Ordinal));
        Assert.All(reports, r => Assert.Equal(good, r.InForce));
        Assert.All(reports.Where(r => r.Outcome == "rejected"), r => Assert.Contains(r.Errors, e => e.Contains("fleet:marker.yaml", StringComparison.Ordinal)));
    }

    private static async Task<List<RevisionReport>> Reports(NatsJSContext js, FleetSubjects names, int count)
    {
        // Debian's nats-server 2.9 ignores consumer subject filters given as a list: filter here.
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(names.ConclusionStream);
        var reports = new List<RevisionReport>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            if (!msg.Subject.EndsWith("." + FleetSubjects.Token(FleetTopic.Rules), StringComparison.Ordinal))
            {
                continue;
            }
            reports.Add(JsonSerializer.Deserialize<RevisionReport>(msg.Data!)!);
            if (reports.Count == count)
            {
                break;
            }
        }
        return reports;
    }

    public void Dispose()
    {
        foreach (CliProcess agent in _agents)
        {
            agent.Dispose();
        }
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
