using System.Diagnostics;
using System.Globalization;
using Vigil.Guard;

namespace Vigil.Tests.Support;

/// <summary>
/// A small fleet made for one test: a hub namespace with a bridge (where nats-server and the
/// attacker live) and one namespace per node, each joined to the bridge by its own veth; each node
/// has its own pin root for its XDP guard. Disposing removes the guards' pins and every namespace,
/// pass or fail.
/// </summary>
public sealed class FleetNetwork : IDisposable
{
    private static int s_count;

    public FleetNetwork(int nodes)
    {
        KernelRequirement.Check();
        int n = Interlocked.Increment(ref s_count);
        string id = $"{Environment.ProcessId % 10000}{n}";
        int subnet = (Environment.ProcessId + n) % 200 + 20;
        Hub = $"vfh{id}";
        HubAddress = $"10.252.{subnet}.1";
        AttackerAddress = $"10.252.{subnet}.66";
        Nodes = [.. Enumerable.Range(0, nodes).Select(i => new FleetNode(
            $"node-{(char)('a' + i)}", $"vfn{id}{i}", $"vfp{id}{i}", $"10.252.{subnet}.{11 + i}", $"/sys/fs/bpf/vigil-fleet-{id}-{i}"))];
        try
        {
            Ip("netns", "add", Hub);
            Ip("-n", Hub, "link", "add", "br0", "type", "bridge");
            Ip("-n", Hub, "addr", "add", $"{HubAddress}/24", "dev", "br0");
            Ip("-n", Hub, "addr", "add", $"{AttackerAddress}/24", "dev", "br0");
            Ip("-n", Hub, "link", "set", "br0", "up");
            Ip("-n", Hub, "link", "set", "lo", "up");
            foreach (FleetNode node in Nodes)
            {
                Ip("netns", "add", node.Namespace);
                Ip("link", "add", node.Namespace, "netns", node.Namespace, "type", "veth", "peer", "name", node.HubEnd, "netns", Hub);
                Ip("-n", Hub, "link", "set", node.HubEnd, "master", "br0", "up");
                Ip("-n", node.Namespace, "addr", "add", $"{node.Address}/24", "dev", node.Namespace);
                Ip("-n", node.Namespace, "link", "set", node.Namespace, "up");
                Ip("-n", node.Namespace, "link", "set", "lo", "up");
            }
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (!Nodes.All(node => Ping(HubAddress, node.Address)))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("the hub cannot reach every node over the bridge");
                }
                Thread.Sleep(100);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The hub namespace: the bridge, nats-server, the attacker.</summary>
    public string Hub { get; }

    public string HubAddress { get; }

    /// <summary>A second address of the hub, the source of the attack.</summary>
    public string AttackerAddress { get; }

    public IReadOnlyList<FleetNode> Nodes { get; }

    /// <summary>One echo request from the hub, sent from <paramref name="source"/>: true when answered.</summary>
    public bool Ping(string source, string to) =>
        Children.Run("ip", "netns", "exec", Hub, "ping", "-c", "1", "-W", "0.5", "-q", "-I", source, to) == 0;

    /// <summary>Echo requests as fast as they are answered, from <paramref name="source"/>, for a while.</summary>
    public void Flood(string source, string to, TimeSpan duration) =>
        Children.Run("ip", "netns", "exec", Hub, "timeout", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "ping", "-f", "-q", "-I", source, to);

    /// <summary>The vigil CLI inside a node's namespace, on that node's pin root.</summary>
    public string VigilOk(FleetNode node, params string[] args)
    {
        string[] all = [$"--net=/run/netns/{node.Namespace}", RepoPaths.Cli, .. args, "--pin-root", node.PinRoot];
        using Process p = Children.Start("nsenter", all);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            throw new TimeoutException($"vigil {string.Join(' ', args)} did not finish");
        }
        Assert.True(p.ExitCode == 0, $"vigil {string.Join(' ', args)} on {node.Name} exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    public void Dispose()
    {
        foreach (FleetNode node in Nodes)
        {
            try
            {
                XdpGuard.Remove(new GuardPaths(node.PinRoot));
            }
            finally
            {
                Children.Run("ip", "netns", "del", node.Namespace);
            }
        }
        Children.Run("ip", "netns", "del", Hub);
    }

    private static void Ip(params string[] args)
    {
        using Process p = Children.Start("ip", args);
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {err}");
        }
    }
}

/// <summary>A node of a <see cref="FleetNetwork"/>: its name in the fleet, namespace (also its veth's name), the veth's hub end, address and pin root.</summary>
public sealed record FleetNode(string Name, string Namespace, string HubEnd, string Address, string PinRoot);
