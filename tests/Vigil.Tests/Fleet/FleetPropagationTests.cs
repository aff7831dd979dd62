using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>
/// Three agents, each in its own namespace with its own veth and XDP guard, joined by a real
/// nats-server: one node's mitigation becomes every node's protection.
/// </summary>
public sealed class FleetPropagationTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "vigil-fleet-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<CliProcess> _agents = [];

    [Fact]
    public void A_flood_that_trips_auto_mitigation_on_node_a_is_dropped_in_xdp_on_nodes_b_and_c()
    {
        using var net = new FleetNetwork(3);
        using var nats = new NatsServer(netns: net.Hub, host: net.HubAddress, port: 4222);
        foreach (FleetNode node in net.Nodes)
        {
            net.VigilOk(node, "xdp", "attach", node.Namespace);
            StartAgent(nats, node);
        }
        FleetNode a = net.Nodes[0];
        FleetNode[] others = [.. net.Nodes.Skip(1)];
        foreach (FleetNode node in others)
        {
            Assert.True(net.Ping(net.AttackerAddress, node.Address), $"{node.Name} unreachable before the attack");
        }

        string banned = $"{net.AttackerAddress}/32";
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Bans(net, a).Contains(banned, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "node a never banned the flood's source:\n" + _agents[0].Stderr);
            net.Flood(net.AttackerAddress, a.Address, TimeSpan.FromSeconds(2));
        }

        foreach ((FleetNode node, CliProcess agent) in others.Zip(_agents.Skip(1)))
        {
            agent.WaitForLine(l => l.Contains("\"fleet.indicator\"", StringComparison.Ordinal) && l.Contains(banned, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            Assert.Contains(banned, Bans(net, node), StringComparison.Ordinal);
            Assert.False(net.Ping(net.AttackerAddress, node.Address), $"{node.Name} still answers the attacker");
            Assert.True(net.Ping(net.HubAddress, node.Address), $"{node.Name} no longer answers the hub");
        }
    }

    /// <summary>Starts `vigil run` in the node's namespace, joined to the fleet; disposed with the test.</summary>
    private void StartAgent(NatsServer nats, FleetNode node)
    {
        var agent = new CliProcess(
        [
            "run", "--nats", nats.Url, "--cluster", "test", "--node", node.Name, "--pin-root", node.PinRoot,
            "--fleet-spool", Path.Combine(_work, node.Name), "--xdp-ban-threshold", "2000", "--xdp-ban-ttl", "10m",
        ], netns: node.Namespace);
        _agents.Add(agent);
        agent.WaitUntilRunning();
    }

    private static string Bans(FleetNetwork net, FleetNode node)
    {
        string rules = net.VigilOk(node, "xdp", "rules");
        return rules[rules.IndexOf("bans (", StringComparison.Ordinal)..];
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
