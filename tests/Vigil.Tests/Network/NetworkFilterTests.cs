using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Events;
using Vigil.Sensors.Network;
using Vigil.Tests.Support;

namespace Vigil.Tests.Network;

public sealed class NetworkFilterTests
{
    /// <summary>Unwatched connections in the burst: within the test listener's backlog, so none waits for a SYN retransmit.</summary>
    private const int UnwatchedConnections = 6;

    /// <summary>Connects from the client namespace and waits until the server accepted and the client finished.</summary>
    private static uint Connect(NetworkHarness h, Socket listener, IPAddress server)
    {
        using Process child = h.Client($"exec 3<>{NetworkHarness.Target(server, NetworkHarness.Port(listener))}; exec 3>&-");
        listener.Accept().Dispose();
        Assert.True(child.WaitForExit(10_000));
        Assert.Equal(0, child.ExitCode);
        return (uint)child.Id;
    }

    private static void WaitForQuiet(NetworkHarness h, uint pid) =>
        // The client's close is the last of its events: once it (or its count) is in, the rest is too.
        SpinWait.SpinUntil(() => h.Sink.Snapshot().OfType<NetworkEvent>().Any(e => e.Process.Pid == pid && e.Syscall == "close")
            || h.Sensor.Counters.Filtered >= 2, 2000);

    [Fact]
    public void Events_the_filter_does_not_select_are_counted_in_the_kernel_not_shipped()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket watched = h.Listen(h.Net.ServerV4);
        using Socket other = h.Listen(h.Net.ServerV4);
        h.Sensor.Apply(new NetworkFilter
        {
            Rules =
            [
                new NetworkRule { Name = "watched-port", Destinations = [IPNetwork.Parse(h.Net.Subnet24)], DestinationPorts = [PortRange.Single((ushort)NetworkHarness.Port(watched))] },
                new NetworkRule { Name = "everything-else", Action = NetworkAction.Count },
            ],
        });
        Assert.Equal(1u, h.Sensor.Generation);

        uint shipped = Connect(h, watched, h.Net.ServerV4);
        uint dropped = Connect(h, other, h.Net.ServerV4);
        h.WaitFor("close", e => e.Process.Pid == shipped);
        WaitForQuiet(h, dropped);

        List<NetworkEvent> events = [.. h.Sink.Snapshot().OfType<NetworkEvent>()];
        Assert.Contains(events, e => e.Process.Pid == shipped && e.Syscall == "connect");
        Assert.Contains(events, e => e.Syscall == "accept" && e.DestinationPort == NetworkHarness.Port(watched));
        Assert.DoesNotContain(events, e => e.Process.Pid == dropped);
        Assert.DoesNotContain(events, e => e.DestinationPort == NetworkHarness.Port(other));

        NetworkCounters counters = h.Sensor.Counters;
        // The unwatched connection's connect, accept and both closes: judged, counted, dropped.
        Assert.Equal(4ul, counters.Filtered);
        Assert.Equal(4ul, counters.RuleMatches["everything-else"] - counters.RuleMatches["watched-port"]);
        Assert.True(counters.RuleMatches["watched-port"] >= 4, $"watched-port matched {counters.RuleMatches["watched-port"]}");
    }

    [Fact]
    public void Without_flows_a_connect_no_rule_matches_is_judged_once_and_a_selected_one_is_reported_whole()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness(countFlows: false);
        using Socket watched = h.Listen(h.Net.ServerV4);
        using Socket other = h.Listen(h.Net.ServerV4);
        int watchedPort = NetworkHarness.Port(watched);
        h.Sensor.Apply(new NetworkFilter
        {
            Rules = [new NetworkRule { Name = "watched-port", Destinations = [IPNetwork.Parse(h.Net.Subnet24)], DestinationPorts = [PortRange.Single((ushort)watchedPort)] }],
        });

        uint shipped = Connect(h, watched, h.Net.ServerV4);
        h.WaitFor("close", e => e.Process.Pid == shipped);
        // The filter's counter is the machine's: the unwatched connections come in one burst from one
        // client, so the window in which other processes' connections are counted too stays short.
        ulong before = h.Sensor.Counters.Filtered;
        using Process burst = h.Client($"for i in $(seq {UnwatchedConnections}); do exec 3<>{NetworkHarness.Target(h.Net.ServerV4, NetworkHarness.Port(other))}; exec 3>&-; done");
        for (int i = 0; i < UnwatchedConnections; i++)
        {
            other.Accept().Dispose();
        }
        Assert.True(burst.WaitForExit(10_000));
        Assert.Equal(0, burst.ExitCode);
        uint dropped = (uint)burst.Id;
        SpinWait.SpinUntil(() => h.Sensor.Counters.Filtered - before >= 2 * UnwatchedConnections, 2000);

        List<NetworkEvent> events = [.. h.Sink.Snapshot().OfType<NetworkEvent>()];
        NetworkEvent connect = Assert.Single(events, e => e.Process.Pid == shipped && e.Syscall == "connect");
        Assert.Equal(watchedPort, connect.DestinationPort);
        Assert.Single(events, e => e.Process.Pid == shipped && e.Syscall == "close");
        // The accept is attributed through the listener's entry (nothing is cloned without flows).
        NetworkEvent accept = Assert.Single(events, e => e.Syscall == "accept" && e.DestinationPort == watchedPort);
        Assert.Equal((uint)Environment.ProcessId, accept.Process.Pid);
        Assert.Single(events, e => e.Syscall == "close" && e.Direction == NetworkDirection.Inbound && e.DestinationPort == watchedPort);
        Assert.DoesNotContain(events, e => e.Process.Pid == dropped || e.DestinationPort == NetworkHarness.Port(other));
        // Each unwatched connection: its connect judged as it started, its accept when it completed;
        // neither matched, so neither close was judged at all (that would make 4 each). Two other
        // connections on the machine meanwhile are tolerated.
        Thread.Sleep(200);
        Assert.InRange(h.Sensor.Counters.Filtered - before, 2ul * UnwatchedConnections, (2ul * UnwatchedConnections) + 5);
    }

    [Fact]
    public void A_new_filter_replaces_the_old_one_whole_and_a_bad_one_changes_nothing()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket v4 = h.Listen(h.Net.ServerV4);
        using Socket v6 = h.Listen(h.Net.ServerV6);
        var onlyV6 = new NetworkFilter { Rules = [new NetworkRule { Name = "v6", Destinations = [IPNetwork.Parse(h.Net.Subnet64)] }] };
        h.Sensor.Apply(new NetworkFilter { Rules = [new NetworkRule { Name = "v4", Destinations = [IPNetwork.Parse(h.Net.Subnet24)] }] });
        h.Sensor.Apply(onlyV6);

        var bad = new NetworkFilter { Rules = [new NetworkRule { Name = "bad", DestinationPorts = [new PortRange(9, 1)] }] };
        var error = Assert.Throws<NetworkFilterException>(() => h.Sensor.Apply(bad));
        Assert.Contains("network rule 'bad'", error.Message);
        Assert.Equal(2u, h.Sensor.Generation);
        Assert.Same(onlyV6, h.Sensor.Filter);

        uint overV4 = Connect(h, v4, h.Net.ServerV4);
        uint overV6 = Connect(h, v6, h.Net.ServerV6);
        h.WaitFor("close", e => e.Process.Pid == overV6);
        WaitForQuiet(h, overV4);
        Assert.DoesNotContain(h.Sink.Snapshot().OfType<NetworkEvent>(), e => e.Process.Pid == overV4);
        Assert.Equal(IPAddress.Parse(h.Net.ServerV6.ToString()), h.WaitFor("connect", e => e.Process.Pid == overV6).DestinationAddress);
        Assert.Equal(0ul, h.Sensor.Counters.RuleMatches.GetValueOrDefault("v4"));

        h.Sensor.Apply(NetworkFilter.None);
        uint unfiltered = Connect(h, v4, h.Net.ServerV4);
        h.WaitFor("close", e => e.Process.Pid == unfiltered);
    }

    [Fact]
    public void Udp_flow_summaries_are_judged_by_the_filter()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket server = h.UdpServer(h.Net.ServerV4);
        int port = NetworkHarness.Port(server);
        h.Sensor.Apply(new NetworkFilter { Rules = [new NetworkRule { Name = "dns", Protocols = NetworkProtocols.Udp, DestinationPorts = [PortRange.Single(53)] }] });

        using Process child = h.Client($"exec 3<>/dev/udp/{h.Net.ServerV4}/{port}; head -c 10 /dev/zero >&3", inCgroup: true);
        Assert.True(child.WaitForExit(10_000));
        Assert.Equal(10, server.Receive(new byte[64]));
        h.Sensor.CollectFlows();

        Assert.DoesNotContain(h.Sink.Snapshot().OfType<NetworkEvent>(), e => e.Process.Pid == (uint)child.Id);
        Assert.Equal(1, h.Sensor.Counters.FilteredFlowSummaries);
        Assert.Contains(h.Sensor.Flows.Top(10), f => f.Process.Pid == (uint)child.Id && f.BytesSent == 10);
    }

    [Fact]
    public void Under_load_every_event_is_judged_wholly_by_one_generation()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket p = h.Listen(h.Net.ServerV4);
        using Socket q = h.Listen(h.Net.ServerV4);
        ushort portP = (ushort)NetworkHarness.Port(p), portQ = (ushort)NetworkHarness.Port(q);
        // Odd generations ship port P only, even ones port Q only: an event judged by the config of one
        // and the tries of the other would ship the wrong port for its generation.
        NetworkFilter Only(ushort port, string name) => new()
        {
            Rules = [new NetworkRule { Name = name, Destinations = [IPNetwork.Parse(h.Net.Subnet24)], DestinationPorts = [PortRange.Single(port)] }],
        };
        using var stop = new CancellationTokenSource();
        Thread[] servers = [.. new[] { p, q }.Select(listener => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    listener.Accept().Dispose();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException && stop.IsCancellationRequested)
                {
                    // Closed under the accept at the end of the test.
                }
            }
        }))];
        Array.ForEach(servers, t => t.Start());
        // A filter is in force before the first connection: generation 0 (no filter) ships both ports.
        uint generation = 1;
        h.Sensor.Apply(Only(portP, "p"));
        // The hammer connects until told to stop, so the swaps happen under load however fast the machine is.
        string stopFile = Path.Combine(Path.GetTempPath(), $"vigil-hammer-{Guid.NewGuid():N}");
        using Process hammer = h.Client(
            $"while [ ! -e {stopFile} ]; do exec 3<>{NetworkHarness.Target(h.Net.ServerV4, portP)}; exec 3>&-; exec 3<>{NetworkHarness.Target(h.Net.ServerV4, portQ)}; exec 3>&-; done");
        try
        {
            // Swap at least 40 times, and until events were judged by several generations (the hammer may start late).
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (!hammer.HasExited && DateTime.UtcNow < deadline && (generation < 40 || Shipped().Select(e => e.FilterGeneration).Distinct().Count() < 4))
            {
                generation++;
                h.Sensor.Apply(generation % 2 == 1 ? Only(portP, "p") : Only(portQ, "q"));
                Thread.Sleep(5);
            }
        }
        finally
        {
            File.WriteAllText(stopFile, "");
            hammer.WaitForExit();
            File.Delete(stopFile);
        }
        Assert.Equal(0, hammer.ExitCode);
        stop.Cancel();
        p.Dispose();
        q.Dispose();
        Array.ForEach(servers, t => t.Join());

        List<NetworkEvent> shipped = Shipped();
        Assert.True(shipped.Select(e => e.FilterGeneration).Distinct().Count() >= 4, "events should span several generations");
        Assert.All(shipped, e => Assert.Equal(e.FilterGeneration % 2 == 1 ? portP : portQ, e.DestinationPort));

        List<NetworkEvent> Shipped() => [.. h.Sink.Snapshot().OfType<NetworkEvent>().Where(e => e.DestinationAddress.Equals(h.Net.ServerV4))];
    }
}
