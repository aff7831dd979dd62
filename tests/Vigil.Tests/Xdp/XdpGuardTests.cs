using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Vigil.Guard;
using Vigil.Sensors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Xdp;

/// <summary>The guard on a veth inside a test namespace, driven through the CLI as an operator would.</summary>
public sealed class XdpGuardTests
{
    [Fact]
    public void Icmp_echo_rule_stops_ping_and_removing_it_restores_ping()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        Assert.True(net.Ping(net.ServerV4));
        Assert.True(net.Ping(net.ServerV6));

        net.VigilOk("xdp", "apply", RuleFile("""
            rules:
              - name: no-ping
                protocol: icmp
                icmp-type: echo-request
                action: drop
              - name: no-ping6
                protocol: icmpv6
                icmp-type: echo-request
                action: drop
            """));
        Assert.False(net.Ping(net.ServerV4));
        Assert.False(net.Ping(net.ServerV6));
        Assert.Contains("no-ping: drop protocol icmp icmp-type 8", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);

        net.VigilOk("xdp", "apply", RuleFile("rules: []"));
        Assert.True(net.Ping(net.ServerV4));
        Assert.True(net.Ping(net.ServerV6));
    }

    [Fact]
    public void Denied_network_times_out_tcp_connect_while_an_allowed_host_inside_it_connects_v4_and_v6()
    {
        using var net = new TestNetwork();
        using Socket listener = Listen(net, 8080);
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "apply", RuleFile($"""
            deny: [{net.Subnet24}, {net.Subnet64}]
            allow: [{net.ClientV4Other}, {net.ClientV6Other}]
            """));
        Assert.False(Connects(net, net.ClientV4, net.ServerV4, 8080));
        Assert.True(Connects(net, net.ClientV4Other, net.ServerV4, 8080));
        Assert.False(Connects(net, net.ClientV6, net.ServerV6, 8080));
        Assert.True(Connects(net, net.ClientV6Other, net.ServerV6, 8080));
    }

    [Fact]
    public void Block_and_unblock_a_cidr_at_runtime()
    {
        using var net = new TestNetwork();
        using Socket listener = Listen(net, 8081);
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "block", $"{net.ClientV4}/32");
        net.VigilOk("xdp", "block", net.Subnet64);
        Assert.False(Connects(net, net.ClientV4, net.ServerV4, 8081));
        Assert.True(Connects(net, net.ClientV4Other, net.ServerV4, 8081));
        Assert.False(Connects(net, net.ClientV6, net.ServerV6, 8081));

        net.VigilOk("xdp", "unblock", $"{net.ClientV4}/32");
        net.VigilOk("xdp", "unblock", net.Subnet64);
        Assert.True(Connects(net, net.ClientV4, net.ServerV4, 8081));
        Assert.True(Connects(net, net.ClientV6, net.ServerV6, 8081));
    }

    [Fact]
    public void Rate_limit_holds_a_flood_to_the_configured_rate_and_spares_a_second_source()
    {
        const int Rate = 2000, Burst = 100;
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "apply", RuleFile($"""
            rules:
              - name: udp-9000
                protocol: udp
                ports: 9000
                action: limit
                rate: {Rate}
                burst: {Burst}
                per-prefix-v4: 32
            """));
        using Socket receiver = TestNetwork.InNamespace(net.Server, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20 };
            s.Bind(new IPEndPoint(net.ServerV4, 9000));
            return s;
        });
        var received = new Dictionary<IPAddress, int>();
        using var stop = new CancellationTokenSource();
        var counting = new Thread(() =>
        {
            var buffer = new byte[64];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            receiver.ReceiveTimeout = 200;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    receiver.ReceiveFrom(buffer, ref from);
                    IPAddress source = ((IPEndPoint)from).Address;
                    received[source] = received.GetValueOrDefault(source) + 1;
                }
                catch (SocketException)
                {
                    // timeout: look at the stop flag
                }
            }
        });
        counting.Start();

        using Socket flooder = UdpFrom(net, net.ClientV4);
        using Socket polite = UdpFrom(net, net.ClientV4Other);
        var target = new IPEndPoint(net.ServerV4, 9000);
        var clock = Stopwatch.StartNew();
        int politeSent = 0;
        long flooded = 0;
        var payload = new byte[32];
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            flooder.SendTo(payload, target);
            flooded++;
            if (clock.Elapsed.TotalMilliseconds >= politeSent * 10) // 100 packets/s
            {
                polite.SendTo(payload, target);
                politeSent++;
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Thread.Sleep(300);
        stop.Cancel();
        counting.Join();

        double expected = Rate * seconds + Burst;
        int fromFlooder = received.GetValueOrDefault(net.ClientV4);
        Assert.True(flooded > expected * 3, $"the flood was too slow to test the limit: {flooded} packets in {seconds:0.0}s");
        Assert.InRange(fromFlooder, expected * 0.9, expected * 1.1);
        Assert.Equal(politeSent, received.GetValueOrDefault(net.ClientV4Other));
    }

    [Fact]
    public void A_ban_with_a_ttl_expires_on_its_own()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "block", $"{net.ClientV4}/32", "--ttl", "2s");
        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
        Thread.Sleep(2200);
        Assert.True(net.Ping(net.ServerV4, net.ClientV4));
        Assert.Contains("expired", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);
    }

    [Fact]
    public void Arp_and_neighbour_discovery_still_work_under_deny_all()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "apply", RuleFile($"""
            default: drop
            allow: [{net.ClientV4Other}, {net.ClientV6Other}]
            """));
        foreach (string ns in new[] { net.Client, net.Server })
        {
            Children.Run("ip", "-n", ns, "neigh", "flush", "all");
        }
        // Replies to the allowed addresses need fresh ARP and ND answers from the client, through the guard.
        Assert.True(net.Ping(net.ServerV4, net.ClientV4Other));
        Assert.True(net.Ping(net.ServerV6, net.ClientV6Other));
        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
        string stats = net.VigilOk("xdp", "stats", "--interval", "0.1s");
        Assert.Matches(@"neighbour\s+[1-9]", stats);
    }

    [Fact]
    public void Filtering_survives_kill_9_of_the_agent_and_a_restart_adopts_bans_and_counters()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "block", $"{net.ClientV4}/32");
        using (var agent = new CliProcess(["run", "--pin-root", net.PinRoot]))
        {
            WaitForAdoption(agent, "1 bans");
            agent.Signal(9);
            agent.WaitForExit(TimeSpan.FromSeconds(10));
        }
        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
        Assert.True(net.Ping(net.ServerV4, net.ClientV4Other));
        ulong bansBefore = BanDrops(net);
        Assert.True(bansBefore >= 1);

        using (var agent = new CliProcess(["run", "--pin-root", net.PinRoot]))
        {
            WaitForAdoption(agent, "1 bans");
            Assert.False(net.Ping(net.ServerV4, net.ClientV4));
            Assert.True(BanDrops(net) > bansBefore, "counters were reset instead of adopted");
            agent.Signal(15);
            Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(10)));
        }
        Assert.False(net.Ping(net.ServerV4, net.ClientV4)); // a clean stop leaves the guard in force too
        Assert.Contains($"{net.ClientV4}/32 (operator", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);

        net.VigilOk("xdp", "detach");
        Assert.False(Directory.Exists(net.PinRoot));
        Assert.True(net.Ping(net.ServerV4, net.ClientV4));
    }

    [Fact]
    public void The_agent_bans_a_heavy_hitter_and_says_so_in_an_event()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "apply", RuleFile("sample-every: 4"));
        using var agent = new CliProcess(["run", "--pin-root", net.PinRoot, "--xdp-ban-threshold", "2000", "--xdp-ban-ttl", "1m"]);
        WaitForAdoption(agent, "0 bans");
        using Socket flooder = UdpFrom(net, net.ClientV4);
        using Socket polite = UdpFrom(net, net.ClientV4Other);
        var target = new IPEndPoint(net.ServerV4, 9);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            flooder.SendTo(new byte[16], target);
            if (clock.ElapsedMilliseconds % 100 == 0)
            {
                polite.SendTo(new byte[16], target);
            }
        }
        string line = agent.WaitForLine(l => l.Contains("\"xdp.ban\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        using JsonDocument ban = JsonDocument.Parse(line);
        Assert.Equal($"{net.ClientV4}/32", ban.RootElement.GetProperty("vigil.xdp.network").GetString());
        Assert.Equal(60, ban.RootElement.GetProperty("vigil.xdp.ttl_seconds").GetInt32());
        Assert.True(ban.RootElement.GetProperty("vigil.xdp.rate_pps").GetDouble() >= 2000);
        Assert.DoesNotContain(agent.Stdout, l => l.Contains("\"xdp.ban\"", StringComparison.Ordinal) && l.Contains($"{net.ClientV4Other}/", StringComparison.Ordinal));
        Assert.Contains($"{net.ClientV4}/32 (auto", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);
        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
        agent.Signal(15);
        agent.WaitForExit(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Native_mode_falls_back_to_generic_with_a_warning_where_the_driver_has_no_xdp()
    {
        using var net = new TestNetwork();
        Children.Run("ip", "-n", net.Server, "link", "add", "vgbridge0", "type", "bridge");
        Children.Run("ip", "-n", net.Server, "link", "set", "vgbridge0", "up");
        (int code, string stdout, string stderr) = net.Vigil("xdp", "attach", "vgbridge0");
        Assert.True(code == 0, stderr);
        Assert.Contains("no native XDP", stderr, StringComparison.Ordinal);
        Assert.Contains("attached to vgbridge0 (generic mode", stdout, StringComparison.Ordinal);
        net.VigilOk("xdp", "attach", net.Server, "--mode", "generic", "--monitor");
        string rules = net.VigilOk("xdp", "rules");
        Assert.Contains($"interfaces: vgbridge0 (generic), {net.Server} (generic)", rules, StringComparison.Ordinal);
        Assert.Contains("mode: monitor", rules, StringComparison.Ordinal);
        net.VigilOk("xdp", "block", $"{net.ClientV4}/32");
        Assert.True(net.Ping(net.ServerV4, net.ClientV4)); // monitor: counted, passed
        Assert.Matches(@"ban\s+\d+\s+\d+\s+[1-9]", net.VigilOk("xdp", "stats", "--interval", "0.1s"));
    }

    [Fact]
    public void Bad_input_is_refused_clearly_and_changes_nothing()
    {
        using var net = new TestNetwork();
        (int code, _, string stderr) = net.Vigil("xdp", "attach", "nosuch0");
        Assert.Equal(1, code);
        Assert.Contains("no interface named 'nosuch0'", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(net.Paths.Directory), "a failed attach left state pinned");

        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "apply", RuleFile($"deny: [{net.Subnet24}]"));
        (code, _, stderr) = net.Vigil("xdp", "block", "10.0.0.300/24");
        Assert.Equal(64, code);
        Assert.Contains("'10.0.0.300/24' is not a CIDR", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

        string tooBig = Path.Combine(Path.GetTempPath(), $"vigil-too-big-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllLines(tooBig, ["deny:", .. Enumerable.Range(0, 131073).Select(i => $"  - 11.{i >> 16}.{(i >> 8) & 255}.{i & 255}")]);
            (code, _, stderr) = net.Vigil("xdp", "apply", tooBig);
        }
        finally
        {
            File.Delete(tooBig);
        }
        Assert.Equal(64, code);
        Assert.Contains("131073 IPv4 prefixes, the map holds 131072", stderr, StringComparison.Ordinal);

        (code, _, stderr) = net.Vigil("xdp", "apply", RuleFile("rules:\n  - name: web\n    protocol: tcp\n    ports: 99999\n    action: drop\n"));
        Assert.Equal(64, code);
        Assert.Contains("rules[0] (web): ports '99999'", stderr, StringComparison.Ordinal);

        string rules = net.VigilOk("xdp", "rules");
        Assert.Contains($"deny (1):\n  {net.Subnet24}", rules, StringComparison.Ordinal);
        Assert.Contains("bans (0)", rules, StringComparison.Ordinal);
        Assert.False(net.Ping(net.ServerV4, net.ClientV4));
    }

    private static string RuleFile(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"vigil-rules-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static void WaitForAdoption(CliProcess agent, string bans)
    {
        agent.WaitForStderr("xdp guard adopted", TimeSpan.FromSeconds(30));
        Assert.Contains(bans, agent.Stderr, StringComparison.Ordinal);
    }

    private static ulong BanDrops(TestNetwork net)
    {
        using XdpGuard guard = XdpGuard.Open(net.Paths, new SensorOptions().ObjectPath(XdpGuard.ObjectName));
        return guard.ReadCounters().Single(r => r.Name == "ban").Counter.Dropped;
    }

    private static Socket Listen(TestNetwork net, int port) => TestNetwork.InNamespace(net.Server, () =>
    {
        var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        s.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        s.Listen(16);
        return s;
    });

    private static Socket UdpFrom(TestNetwork net, IPAddress source) => TestNetwork.InNamespace(net.Client, () =>
    {
        var s = new Socket(source.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(source, 0));
        return s;
    });

    /// <summary>A TCP connect from the client namespace; false when it does not complete within a second.</summary>
    private static bool Connects(TestNetwork net, IPAddress source, IPAddress destination, int port)
    {
        using Socket s = TestNetwork.InNamespace(net.Client, () =>
        {
            var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(source, 0));
            return socket;
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            s.ConnectAsync(new IPEndPoint(destination, port), timeout.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
