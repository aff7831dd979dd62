using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>Policies distributed through the fleet's policies bucket (`vigil fleet policy put/delete`) to two running agents on the real kernel.</summary>
public sealed class PolicyDistributionTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-fleet-policies-").FullName;
    private readonly List<CliProcess> _agents = [];

    [Fact]
    public async Task Every_agent_puts_a_fleet_policy_in_the_kernel_rejects_a_bad_revision_keeping_the_previous_and_drops_a_deleted_one()
    {
        KernelRequirement.Check();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var nats = new NatsServer();
        string cluster = "pol" + Guid.NewGuid().ToString("N")[..6];
        string marker = Children.Marker();
        string[] fleet = ["--nats", nats.Url, "--cluster", cluster];
        foreach (string node in new[] { "node-1", "node-2" })
        {
            var agent = new CliProcess(["run", .. fleet, "--node", node, "--fleet-spool", Path.Combine(_work, node), "--fleet-heartbeat", "1s",
                "--api", "none", "--store", "none", "--pin-root", Path.Combine("/sys/fs/bpf", "vigil-none-" + Guid.NewGuid().ToString("N")[..8])]);
            _agents.Add(agent);
            agent.WaitUntilRunning();
        }
        string watched = Directory.CreateDirectory(Path.Combine(_work, "watched")).FullName;
        string other = Directory.CreateDirectory(Path.Combine(_work, "other")).FullName;
        string file = Path.Combine(_work, "policy.yaml");

        // A file that does not read is refused by the CLI with its place; nothing reaches the bucket.
        File.WriteAllText(file, WritePolicy.Yaml(marker, watched).Replace("intent:", "intnet:", StringComparison.Ordinal));
        (int code, _, string stderr) = CliProcess.Run(["fleet", "policy", "put", file, .. fleet]);
        Assert.Equal(1, code);
        Assert.Contains($"{file}:12:", stderr, StringComparison.Ordinal);

        File.WriteAllText(file, WritePolicy.Yaml(marker, watched));
        ulong good = Put(file, fleet);
        WaitForStderrOfAll($"fleet policies: revision {good} in force");
        TouchAndSeeEverywhere(watched, "first");

        // Good on its own, wrong on these nodes (no such cgroup): every agent rejects it and keeps the previous.
        File.WriteAllText(file, WritePolicy.Yaml(marker, watched, "    - name: nowhere\n      events: [open]\n      match: {cgroup: [/no-such-cgroup-" + marker + "]}"));
        ulong bad = Put(file, fleet);
        WaitForStderrOfAll($"fleet policies: revision {bad} rejected, revision {good} stays in force");
        TouchAndSeeEverywhere(watched, "second");

        List<RevisionReport> reports = await Reports(nats, cluster, count: 4, cancel);
        Assert.Equal(["node-1 accepted", "node-1 rejected", "node-2 accepted", "node-2 rejected"],
            reports.Select(r => $"{r.Node} {r.Outcome}").Order(StringComparer.Ordinal));
        Assert.All(reports, r => Assert.Equal(good, r.InForce));
        Assert.All(reports.Where(r => r.Outcome == "rejected"), r => Assert.Contains(r.Errors, e => e.Contains($"fleet:{marker}:16:", StringComparison.Ordinal)));
        await WaitForHeartbeats(nats, cluster, h => h.PoliciesRevision == good && h.PoliciesRejected == bad, cancel);

        (code, _, stderr) = CliProcess.Run(["fleet", "policy", "delete", marker, .. fleet]);
        Assert.True(code == 0, stderr);
        // Out of force: a write under its prefix ships nothing, while one a new fleet policy wants does.
        File.WriteAllText(file, WritePolicy.Yaml(marker + "-b", other));
        ulong next = Put(file, fleet);
        WaitForStderrOfAll($"fleet policies: revision {next} in force");
        Assert.Equal(0, Children.Run("touch", Path.Combine(watched, "third")));
        TouchAndSeeEverywhere(other, "after");
        Assert.All(_agents, a => Assert.DoesNotContain(a.Stdout, l => l.Contains(FilePath(watched, "third"), StringComparison.Ordinal)));
        (code, _, _) = CliProcess.Run(["fleet", "policy", "delete", marker, .. fleet]);
        Assert.Equal(1, code);
    }

    private static ulong Put(string file, string[] fleet)
    {
        (int code, string stdout, string stderr) = CliProcess.Run(["fleet", "policy", "put", file, .. fleet]);
        Assert.True(code == 0, stderr);
        return ulong.Parse(stdout.Split(" as revision ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private void TouchAndSeeEverywhere(string directory, string name)
    {
        Assert.Equal(0, Children.Run("touch", Path.Combine(directory, name)));
        foreach (CliProcess agent in _agents)
        {
            agent.WaitForLine(l => l.Contains(FilePath(directory, name), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>The file event's attribute, not the touch command line that names the same path.</summary>
    private static string FilePath(string directory, string name) => $"\"file.path\":\"{Path.Combine(directory, name)}\"";

    private static async Task<List<RevisionReport>> Reports(NatsServer nats, string cluster, int count, CancellationToken cancel)
    {
        await using var client = new NatsConnection(new NatsOpts { Url = nats.Url, ConnectTimeout = TimeSpan.FromSeconds(20) });
        var js = new NatsJSContext(client);
        // Debian's nats-server 2.9 ignores consumer subject filters given as a list: filter here.
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(new FleetSubjects(cluster).ConclusionStream, cancellationToken: cancel);
        var reports = new List<RevisionReport>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            if (msg.Subject.EndsWith("." + FleetSubjects.Token(FleetTopic.Policies), StringComparison.Ordinal))
            {
                reports.Add(JsonSerializer.Deserialize<RevisionReport>(msg.Data!)!);
                if (reports.Count == count)
                {
                    break;
                }
            }
        }
        return reports;
    }

    private static async Task WaitForHeartbeats(NatsServer nats, string cluster, Func<NodeHeartbeat, bool> match, CancellationToken cancel)
    {
        await using var client = new NatsConnection(new NatsOpts { Url = nats.Url, ConnectTimeout = TimeSpan.FromSeconds(20) });
        var names = new FleetSubjects(cluster);
        var status = new FleetStatus(new NatsKVContext(new NatsJSContext(client)), names);
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            IReadOnlyList<Vigil.Fleet.FleetNode> nodes = await status.NodesAsync(cancel);
            if (nodes.Count == 2 && nodes.All(n => match(n.Heartbeat)))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "heartbeats never said so: " + string.Join("; ", nodes.Select(n => $"{n.Heartbeat.Node} {n.Heartbeat.PoliciesRevision}/{n.Heartbeat.PoliciesRejected}")));
            await Task.Delay(300, cancel);
        }
    }

    private void WaitForStderrOfAll(string text)
    {
        foreach (CliProcess agent in _agents)
        {
            agent.WaitForStderr(text, TimeSpan.FromSeconds(20));
        }
    }

    public void Dispose()
    {
        foreach (CliProcess agent in _agents)
        {
            agent.Dispose();
        }
        Directory.Delete(_work, recursive: true);
    }
}
