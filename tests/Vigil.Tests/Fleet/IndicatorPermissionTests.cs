using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>
/// Who may raise an indicator is decided by nats-server's users and their publish permissions:
/// a node may publish indicators on its own subject only, and a node without the permission not at
/// all. A running agent with its guard on a veth in a test namespace shows what got through.
/// </summary>
public sealed class IndicatorPermissionTests : IDisposable
{
    private const string Cluster = "perm";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "vigil-perm-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Indicators_from_a_node_without_publish_permission_or_under_another_nodes_name_are_refused_and_counted()
    {
        using var net = new TestNetwork();
        using var nats = new NatsServer(extraConfig: Accounts());
        net.VigilOk("xdp", "attach", net.Server);
        using var agent = new CliProcess(
        [
            "run", "--nats", nats.Url, "--nats-user", "node-b", "--nats-password", "secret-b", "--cluster", Cluster, "--node", "node-b",
            "--pin-root", net.PinRoot, "--fleet-spool", Path.Combine(_work, "node-b"),
        ]);
        agent.WaitUntilRunning();

        // No indicator permission at all: the server refuses, the publisher counts and drops it.
        await using (Publisher unauthorized = await Publisher.Connect(nats, "node-x", "secret-x", Path.Combine(_work, "x")))
        {
            await unauthorized.Publish(Indicator("node-x", $"{net.ClientV4Other}/32"));
            Assert.Equal(1, unauthorized.Fleet.Refused);
        }
        await using Publisher nodeA = await Publisher.Connect(nats, "node-a", "secret-a", Path.Combine(_work, "a"));
        // Under node b's name: refused by the server too.
        await nodeA.Publish(Indicator("node-b", $"{net.ClientV4Other}/32"), subjectNode: "node-b");
        Assert.Equal(1, nodeA.Fleet.Refused);
        // On its own subject but claiming another origin: stored, but every agent ignores it.
        await nodeA.Publish(Indicator("node-c", $"{net.ClientV4Other}/32"), subjectNode: "node-a");
        // A genuine one.
        await nodeA.Publish(Indicator("node-a", $"{net.ClientV4}/32"));
        Assert.Equal(1, nodeA.Fleet.Refused);

        agent.WaitForLine(l => l.Contains("\"fleet.indicator\"", StringComparison.Ordinal) && l.Contains($"{net.ClientV4}/32", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("claims origin node-c but came from node-a", agent.Stderr, StringComparison.Ordinal);
        string rules = net.VigilOk("xdp", "rules");
        Assert.Contains($"{net.ClientV4}/32", rules, StringComparison.Ordinal);
        Assert.DoesNotContain($"{net.ClientV4Other}/32", rules, StringComparison.Ordinal);
        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
        Assert.True(net.Ping(net.ServerV4, net.ClientV4Other));
        Assert.Equal(2, await nodeA.StoredIndicatorsOfNodeA());
    }

    private static ThreatIndicator Indicator(string origin, string value) => new()
    {
        Id = $"{origin}.test.{Guid.NewGuid():N}",
        Kind = IndicatorKinds.Address,
        Value = value,
        Origin = origin,
        Reason = "test",
        Issued = DateTime.UtcNow,
        Expires = DateTime.UtcNow.AddMinutes(10),
    };

    /// <summary>Nodes a and b may publish under their own name; node x may publish conclusions but no indicators.</summary>
    private static string Accounts()
    {
        static string Node(string name, string password, string extraDeny = "") => $$"""
                  { user: "{{name}}", password: "{{password}}", permissions: {
                      publish: { allow: ["vigil.{{Cluster}}.{{name}}.>", "$JS.API.>", "$KV.vigil-{{Cluster}}-nodes.{{name}}", "_INBOX.>"]{{extraDeny}} }
                      subscribe: { allow: ["_INBOX.>"] } } }
            """;
        return $$"""
            accounts {
              FLEET {
                jetstream: enabled
                users: [
            {{Node("node-a", "secret-a")}}
            {{Node("node-b", "secret-b")}}
            {{Node("node-x", "secret-x", $", deny: [\"vigil.{Cluster}.*.indicator\"]")}}
                ]
              }
            }
            """;
    }

    /// <summary>The test acting as a node that raises indicators, through the agent's own publisher.</summary>
    private sealed class Publisher(FleetConnection connection, FleetPublisher fleet) : IAsyncDisposable
    {
        public FleetPublisher Fleet { get; } = fleet;

        public static async Task<Publisher> Connect(NatsServer nats, string node, string password, string spool)
        {
            var options = new FleetOptions
            {
                Url = nats.Url, Cluster = Cluster, Node = node, User = node, Password = password, SpoolDirectory = spool,
                PublishTimeout = TimeSpan.FromSeconds(1),
            };
            var connection = new FleetConnection(options, NullLogger.Instance);
            await connection.ConnectAsync();
            return new Publisher(connection, new FleetPublisher(connection, NullLogger.Instance));
        }

        public async Task Publish(ThreatIndicator indicator, string? subjectNode = null)
        {
            FleetSubjects names = connection.Names;
            await Fleet.PublishAsync(new FleetMessage(names.Subject(subjectNode ?? indicator.Origin, FleetTopic.Indicator), indicator.Id,
                JsonSerializer.SerializeToUtf8Bytes(indicator)));
        }

        public async Task<long> StoredIndicatorsOfNodeA()
        {
            // Only node a's: the agent raises indicators of its own when a critical rule fires on this machine.
            string subject = connection.Names.Subject("node-a", FleetTopic.Indicator);
            INatsJSStream stream = await connection.JetStream.GetStreamAsync(connection.Names.IndicatorStream, new StreamInfoRequest { SubjectsFilter = subject });
            return stream.Info.State.Subjects is { } counts && counts.TryGetValue(subject, out long n) ? n : 0;
        }

        public async ValueTask DisposeAsync()
        {
            await Fleet.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
