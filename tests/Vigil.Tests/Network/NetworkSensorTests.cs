using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Events;
using Vigil.Sensors.Network;
using Vigil.Tests.Support;

namespace Vigil.Tests.Network;

public sealed class NetworkSensorTests
{
    public static TheoryData<string> Families => ["v4", "v6"];

    [Theory]
    [MemberData(nameof(Families))]
    public void Connect_accept_and_close_carry_addresses_ports_processes_and_bytes(string family)
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        IPAddress server = family == "v4" ? h.Net.ServerV4 : h.Net.ServerV6;
        using Socket listener = h.Listen(server);
        int port = NetworkHarness.Port(listener);

        // The client sends 1000 bytes and reads until the server closes; the server reads them all, answers 300 and closes.
        using Process child = h.Client($"exec 3<>{NetworkHarness.Target(server, port)}; head -c 1000 /dev/zero >&3; cat <&3 >/dev/null");
        IPEndPoint client;
        using (Socket conn = listener.Accept())
        {
            client = (IPEndPoint)conn.RemoteEndPoint!;
            byte[] buffer = new byte[1000];
            int got = 0;
            while (got < buffer.Length)
            {
                int n = conn.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
                Assert.True(n > 0, "client closed early");
                got += n;
            }
            conn.Send(new byte[300]);
            conn.Shutdown(SocketShutdown.Both);
        }
        Assert.True(child.WaitForExit(10_000), "client did not finish");
        Assert.Equal(0, child.ExitCode);
        uint childPid = (uint)child.Id;
        uint self = (uint)Environment.ProcessId;

        NetworkEvent connect = h.WaitFor("connect", e => e.Process.Pid == childPid);
        Assert.Equal(0, connect.Result);
        Assert.Equal(NetworkDirection.Outbound, connect.Direction);
        Assert.Equal(TransportProtocol.Tcp, connect.Protocol);
        Assert.Equal((client.Address, client.Port), (connect.SourceAddress, (int)connect.SourcePort));
        Assert.Equal((server, port), (connect.DestinationAddress, (int)connect.DestinationPort));
        Assert.Equal("bash", connect.Process.Comm);

        NetworkEvent accept = h.WaitFor("accept", e => e.DestinationPort == port);
        Assert.Equal(self, accept.Process.Pid);
        Assert.Equal(NetworkDirection.Inbound, accept.Direction);
        Assert.Equal((client.Address, client.Port), (accept.SourceAddress, (int)accept.SourcePort));
        Assert.Equal(server, accept.DestinationAddress);

        NetworkEvent clientClose = h.WaitFor("close", e => e.Process.Pid == childPid);
        Assert.Equal((1000ul, 300ul), (clientClose.BytesSent, clientClose.BytesReceived));
        Assert.Equal((client.Address, (ushort)client.Port, server, (ushort)port),
            (clientClose.SourceAddress, clientClose.SourcePort, clientClose.DestinationAddress, clientClose.DestinationPort));
        NetworkEvent serverClose = h.WaitFor("close", e => e.Process.Pid == self && e.DestinationPort == port);
        Assert.Equal((300ul, 1000ul), (serverClose.BytesSent, serverClose.BytesReceived));
        Assert.Equal(NetworkDirection.Inbound, serverClose.Direction);
    }

    [Fact]
    public void A_refused_connect_reports_the_error()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        int closedPort;
        using (Socket probe = h.Listen(h.Net.ServerV4))
        {
            closedPort = NetworkHarness.Port(probe);
        }
        using Process child = h.Client($"exec 3<>{NetworkHarness.Target(h.Net.ServerV4, closedPort)}");
        Assert.True(child.WaitForExit(10_000));
        Assert.NotEqual(0, child.ExitCode);

        NetworkEvent connect = h.WaitFor("connect", e => e.Process.Pid == (uint)child.Id);
        Assert.Equal(-111, connect.Result); // ECONNREFUSED
        Assert.Equal(closedPort, connect.DestinationPort);
        Assert.DoesNotContain(h.Sink.Snapshot().OfType<NetworkEvent>(), e => e.Syscall == "close" && e.Process.Pid == (uint)child.Id);
    }

    [Fact]
    public void Udp_flows_are_counted_in_the_kernel_and_read_out_as_summaries()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket server = h.UdpServer(h.Net.ServerV4);
        int port = NetworkHarness.Port(server);

        // Three datagrams of 100 bytes out, one of 50 back, from a client in the flow cgroup.
        using Process child = h.Client(
            $"exec 3<>/dev/udp/{h.Net.ServerV4}/{port}; for i in 1 2 3; do head -c 100 /dev/zero >&3; done; timeout 5 head -c 50 <&3 >/dev/null",
            inCgroup: true);
        byte[] buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(100, server.ReceiveFrom(buffer, ref from));
        }
        server.SendTo(new byte[50], from);
        Assert.True(child.WaitForExit(10_000), "client did not finish");
        Assert.Equal(0, child.ExitCode);

        h.Sensor.CollectFlows();
        uint pid = (uint)child.Id;
        List<NetworkEvent> summaries = [.. h.Sink.Snapshot().OfType<NetworkEvent>().Where(e => e.Process.Pid == pid && e.Protocol == TransportProtocol.Udp)];
        NetworkEvent summary = Assert.Single(summaries);
        Assert.Equal("sendmsg", summary.Syscall);
        Assert.Equal(NetworkDirection.Outbound, summary.Direction);
        Assert.Equal((h.Net.ClientV4, h.Net.ServerV4, (ushort)port), (summary.SourceAddress, summary.DestinationAddress, summary.DestinationPort));
        Assert.Equal(((IPEndPoint)from).Port, summary.SourcePort);
        Assert.Equal((300ul, 50ul), (summary.BytesSent, summary.BytesReceived));
        Assert.Equal("bash", summary.Process.Comm);

        FlowSummary top = Assert.Single(h.Sensor.Flows.Top(10), f => f.Process.Pid == pid);
        Assert.Equal((3ul, 1ul, 350ul), (top.PacketsSent, top.PacketsReceived, top.Bytes));
    }

    [Fact]
    public void Top_flows_rank_by_bytes_and_keep_totals_across_read_outs()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket server = h.UdpServer(h.Net.ServerV4);
        string target = $"/dev/udp/{h.Net.ServerV4}/{NetworkHarness.Port(server)}";
        byte[] buffer = new byte[4096];

        // The large flow sends twice 1000 bytes, waits for a byte back, then sends 1000 more.
        using Process large = h.Client($"exec 3<>{target}; head -c 1000 /dev/zero >&3; head -c 1000 /dev/zero >&3; timeout 5 head -c 1 <&3 >/dev/null; head -c 1000 /dev/zero >&3", inCgroup: true);
        using Process small = h.Client($"exec 3<>{target}; head -c 10 /dev/zero >&3; head -c 10 /dev/zero >&3", inCgroup: true);
        EndPoint largeEnd = new IPEndPoint(IPAddress.Any, 0);
        for (int i = 0; i < 4; i++)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            if (server.ReceiveFrom(buffer, ref from) == 1000)
            {
                largeEnd = from;
            }
        }
        h.Sensor.CollectFlows();
        server.SendTo(new byte[1], largeEnd);
        Assert.Equal(1000, server.Receive(buffer));
        Assert.True(large.WaitForExit(10_000) && small.WaitForExit(10_000));
        h.Sensor.CollectFlows();

        IReadOnlyList<FlowSummary> top = h.Sensor.Flows.Top(2, FlowOrder.Bytes);
        Assert.Equal([(uint)large.Id, (uint)small.Id], top.Select(f => f.Process.Pid));
        Assert.Equal([(3000ul, 1ul), (20ul, 0ul)], top.Select(f => (f.BytesSent, f.BytesReceived)));
        Assert.Equal([4ul, 2ul], h.Sensor.Flows.Top(2, FlowOrder.Packets).Select(f => f.Packets));
        Assert.Equal(2, h.Sink.Snapshot().OfType<NetworkEvent>().Count(e => e.Process.Pid == (uint)large.Id && e.Syscall == "sendmsg"));
    }
}
