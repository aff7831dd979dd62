using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Events;
using Vigil.Sensors.Network;
using Vigil.Tests.Support;

namespace Vigil.Tests.Network;

public sealed class DenyConnectTests
{
    internal static (int ExitCode, string Stderr) Connect(NetworkHarness h, IPAddress server, Socket listener, bool inCgroup, bool expectAccept)
    {
        using Process child = h.Client($"exec 3<>{NetworkHarness.Target(server, NetworkHarness.Port(listener))}", inCgroup);
        if (expectAccept)
        {
            listener.Accept().Dispose();
        }
        Assert.True(child.WaitForExit(10_000), "client did not finish");
        return (child.ExitCode, child.StandardError.ReadToEnd());
    }

    [Fact]
    public void Connects_from_the_enforced_cgroup_to_denied_destinations_fail_with_EPERM_and_nothing_else_changes()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket denied4 = h.Listen(h.Net.ServerV4);
        using Socket allowed4 = h.Listen(h.Net.ServerV4);
        using Socket denied6 = h.Listen(h.Net.ServerV6);
        h.Sensor.Apply(new NetworkFilter
        {
            Rules =
            [
                new NetworkRule
                {
                    Name = "no-v4-port", Action = NetworkAction.Deny, Directions = NetworkDirections.Outbound, Protocols = NetworkProtocols.Tcp,
                    Destinations = [new IPNetwork(h.Net.ServerV4, 32)], DestinationPorts = [PortRange.Single((ushort)NetworkHarness.Port(denied4))],
                },
                new NetworkRule
                {
                    Name = "no-v6-net", Action = NetworkAction.Deny, Directions = NetworkDirections.Outbound,
                    Destinations = [IPNetwork.Parse(h.Net.Subnet64)],
                },
            ],
        });

        using (h.Sensor.DenyConnects(h.Cgroup!.FullPath))
        {
            Assert.Contains("cgroup_inet4_connect", Bpftool.CgroupAttachTypes(h.Cgroup.FullPath));
            (int code, string stderr) = Connect(h, h.Net.ServerV4, denied4, inCgroup: true, expectAccept: false);
            Assert.NotEqual(0, code);
            Assert.Contains("Operation not permitted", stderr);
            (code, stderr) = Connect(h, h.Net.ServerV6, denied6, inCgroup: true, expectAccept: false);
            Assert.Contains("Operation not permitted", stderr);

            Assert.Equal(0, Connect(h, h.Net.ServerV4, allowed4, inCgroup: true, expectAccept: true).ExitCode);
            Assert.Equal(0, Connect(h, h.Net.ServerV4, denied4, inCgroup: false, expectAccept: true).ExitCode);
            Assert.Equal(0, Connect(h, h.Net.ServerV6, denied6, inCgroup: false, expectAccept: true).ExitCode);

            NetworkEvent refused = h.WaitFor("connect", e => e.Result == -1 && e.DestinationPort == NetworkHarness.Port(denied4));
            Assert.Equal(h.Net.ServerV4, refused.DestinationAddress);
            Assert.Equal(h.Cgroup.Id, refused.Process.CgroupId);
            Assert.Equal("bash", refused.Process.Comm);
            Assert.Equal(h.Net.ServerV6, h.WaitFor("connect", e => e.Result == -1 && e.DestinationAddress.AddressFamily == AddressFamily.InterNetworkV6).DestinationAddress);
            Assert.Equal(2ul, h.Sensor.Counters.Denied);
        }

        Assert.DoesNotContain("cgroup_inet4_connect", Bpftool.CgroupAttachTypes(h.Cgroup.FullPath));
        Assert.DoesNotContain("cgroup_inet6_connect", Bpftool.CgroupAttachTypes(h.Cgroup.FullPath));
        Assert.Equal(0, Connect(h, h.Net.ServerV4, denied4, inCgroup: true, expectAccept: true).ExitCode);
    }
}
