using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>A three-server JetStream cluster (streams with three replicas) loses a server while the fleet runs.</summary>
public sealed class JetStreamClusterTests : IDisposable
{
    private const string Cluster = "ha";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "vigil-ha-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<NatsServer> _servers = [];

    [Fact]
    public async Task Publishing_and_indicator_propagation_go_on_when_one_of_three_servers_is_killed()
    {
        using var net = new TestNetwork();
        StartCluster();
        string urls = string.Join(',', _servers.Select(s => s.Url));
        net.VigilOk("xdp", "attach", net.Server);
        using var agent = new CliProcess(
        [
            "run", "--nats", urls, "--cluster", Cluster, "--node", "node-b", "--fleet-replicas", "3",
            "--pin-root", net.PinRoot, "--fleet-spool", Path.Combine(_work, "node-b"),
        ]);
        agent.WaitUntilRunning();
        var options = new FleetOptions
        {
            Url = urls, Cluster = Cluster, Node = "node-a", Replicas = 3, SpoolDirectory = Path.Combine(_work, "node-a"),
            PublishTimeout = TimeSpan.FromSeconds(2),
        };
        await using var connection = new FleetConnection(options, NullLogger.Instance);
        await connection.ConnectAsync();
        await using var publisher = new FleetPublisher(connection, NullLogger.Instance);

        await publisher.PublishAsync(Detections(options, 0, 20));
        await publisher.PublishAsync(IndicatorFeed.Message(connection.Names, Indicator($"{net.ClientV4}/32")));
        WaitForApplied(agent, $"{net.ClientV4}/32");

        _servers[0].Kill();
        await publisher.PublishAsync(Detections(options, 20, 20));
        await publisher.PublishAsync(IndicatorFeed.Message(connection.Names, Indicator($"{net.ClientV4Other}/32")));
        WaitForApplied(agent, $"{net.ClientV4Other}/32");
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (publisher.SpoolDepth > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the spool never emptied with two of three servers up");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
        Assert.False(net.Ping(net.ServerV4, net.ClientV4Other));
        await using var reader = new NatsConnection(new NatsOpts { Url = _servers[1].Url });
        INatsJSStream stream = await new NatsJSContext(reader).GetStreamAsync(connection.Names.ConclusionStream, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, stream.Info.Config.NumReplicas);
        List<string> detections = await DetectionIds(reader, connection.Names);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => "d" + i.ToString(CultureInfo.InvariantCulture)), detections);
    }

    private void StartCluster()
    {
        int[] clientPorts = [.. Enumerable.Range(0, 3).Select(_ => NatsServer.FreePort())];
        int[] routePorts = [.. Enumerable.Range(0, 3).Select(_ => NatsServer.FreePort())];
        for (int i = 0; i < 3; i++)
        {
            string routes = string.Join(", ", routePorts.Where((_, j) => j != i).Select(p => $"\"nats://127.0.0.1:{p}\""));
            _servers.Add(new NatsServer(port: clientPorts[i], name: $"ha-{i}", extraConfig: $$"""
                cluster { name: vigil-ha, listen: 127.0.0.1:{{routePorts[i]}}, routes: [{{routes}}] }
                """));
        }
    }

    /// <summary>
    /// The agent's log says so (its stdout carries every event of the machine, which takes long to search). A minute:
    /// after a server is killed the agent's ordered consumer notices missed heartbeats, and the R3 streams elect new leaders.
    /// </summary>
    private static void WaitForApplied(CliProcess agent, string network) =>
        agent.WaitForStderr($"fleet: xdp ban {network} for", TimeSpan.FromSeconds(60));

    private static ThreatIndicator Indicator(string value) => new()
    {
        Id = $"node-a.test.{Guid.NewGuid():N}",
        Kind = IndicatorKinds.Address,
        Value = value,
        Origin = "node-a",
        Reason = "test",
        Issued = DateTime.UtcNow,
        Expires = DateTime.UtcNow.AddMinutes(10),
    };

    private static List<FleetMessage> Detections(FleetOptions options, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new FleetMessage(
            new FleetSubjects(options.Cluster).Subject(options.Node, FleetTopic.Detection),
            "d" + i.ToString(CultureInfo.InvariantCulture),
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { n = i }))))];

    /// <summary>
    /// Ids of node a's detections in the conclusions stream, read to its end (the agent's own detections, reports and
    /// aggregates are there too; Debian's nats-server 2.9 ignores the filter_subjects a consumer could narrow it with).
    /// </summary>
    private static async Task<List<string>> DetectionIds(NatsConnection nats, FleetSubjects names)
    {
        var js = new NatsJSContext(nats);
        string subject = names.Subject("node-a", FleetTopic.Detection);
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(names.ConclusionStream, cancellationToken: TestContext.Current.CancellationToken);
        var ids = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            if (msg.Subject == subject)
            {
                ids.Add(msg.Headers?["Nats-Msg-Id"].ToString() ?? "");
            }
            if (msg.Metadata?.NumPending == 0)
            {
                break;
            }
        }
        return ids;
    }

    public void Dispose()
    {
        foreach (NatsServer server in _servers)
        {
            server.Dispose();
        }
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
