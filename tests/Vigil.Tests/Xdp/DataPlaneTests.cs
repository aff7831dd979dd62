using System.Net;
using Microsoft.Win32.SafeHandles;
using Vigil.Bpf;
using Vigil.Guard;
using Vigil.Guard.Rules;
using Vigil.Sensors;
using Vigil.Tests.Support;

namespace Vigil.Tests.Xdp;

/// <summary>The guard program judged in the kernel with BPF_PROG_TEST_RUN: no interface involved.</summary>
public sealed class DataPlaneTests : IDisposable
{
    private const uint Pass = 2, Drop = 1; // XDP_PASS, XDP_DROP
    private static readonly IPAddress s_banned = IPAddress.Parse("10.9.9.9");
    private static readonly IPAddress s_other = IPAddress.Parse("10.7.7.7");
    private readonly GuardPaths _paths = new($"/sys/fs/bpf/vigil-test-dp-{Environment.ProcessId}");
    private readonly XdpGuard _guard;
    private readonly SafeFileHandle _program;

    public DataPlaneTests()
    {
        KernelRequirement.Check();
        XdpGuard.Remove(_paths);
        _guard = XdpGuard.Install(_paths, new SensorOptions().ObjectPath(XdpGuard.ObjectName));
        _program = _guard.OpenProgram();
    }

    private uint Judge(byte[] frame) => BpfSystem.TestRun(_program, frame, 1).ReturnValue;

    [Fact]
    public void Vlan_tagged_frames_are_parsed_to_the_address_inside()
    {
        _guard.Block(Cidr.Parse("10.9.9.0/24"), ttl: null);
        foreach (int tags in new[] { 0, 1, 2 })
        {
            Assert.Equal(Drop, Judge(Frames.Build(s_banned, Frames.Udp, vlanTags: tags)));
            Assert.Equal(Pass, Judge(Frames.Build(s_other, Frames.Udp, vlanTags: tags)));
        }
    }

    [Fact]
    public void Later_fragments_are_judged_by_address_but_never_match_port_rules()
    {
        _guard.Apply(new RuleSet
        {
            Rules = [new GuardRule { Name = "udp-53", Action = GuardAction.Drop, Protocol = RuleProtocols.Udp, PortLow = 53, PortHigh = 53 }],
        });
        _guard.Block(Cidr.Parse("fd00:9::/32"), ttl: null);
        Assert.Equal(Drop, Judge(Frames.Build(s_other, Frames.Udp, destinationPort: 53)));
        Assert.Equal(Pass, Judge(Frames.Build(s_other, Frames.Udp, destinationPort: 53, laterFragment: true)));
        Assert.Equal(Drop, Judge(Frames.Build(IPAddress.Parse("fd00:9::1"), Frames.Udp, laterFragment: true)));
        Assert.Equal(Pass, Judge(Frames.Build(IPAddress.Parse("fd00:8::1"), Frames.Udp, destinationPort: 53, laterFragment: true)));
        Assert.Equal(Drop, Judge(Frames.Build(IPAddress.Parse("fd00:8::1"), Frames.Udp, destinationPort: 53)));
    }

    [Fact]
    public void Tcp_flag_rules_drop_syn_to_a_port_and_let_established_traffic_through()
    {
        _guard.Apply(new RuleSet
        {
            Rules = [new GuardRule { Name = "syn-22", Action = GuardAction.Drop, Protocol = RuleProtocols.Tcp, PortLow = 22, PortHigh = 22, TcpFlagsMask = 0x12, TcpFlagsValue = 0x02 }],
        });
        Assert.Equal(Drop, Judge(Frames.Build(s_other, Frames.Tcp, destinationPort: 22, tcpFlags: 0x02)));
        Assert.Equal(Pass, Judge(Frames.Build(s_other, Frames.Tcp, destinationPort: 22, tcpFlags: 0x10)));
        Assert.Equal(Pass, Judge(Frames.Build(s_other, Frames.Tcp, destinationPort: 23, tcpFlags: 0x02)));
    }

    [Fact]
    public void Deny_all_still_passes_arp_and_neighbour_discovery_and_counts_them()
    {
        _guard.Apply(new RuleSet { DefaultAction = GuardAction.Drop });
        Assert.Equal(Drop, Judge(Frames.Build(s_other, Frames.Icmp)));
        Assert.Equal(Drop, Judge(Frames.Build(IPAddress.Parse("fd00::5"), Frames.Icmpv6)));
        Assert.Equal(Pass, Judge(Frames.Arp()));
        Assert.Equal(Pass, Judge(Frames.NeighbourSolicitation(IPAddress.Parse("fd00::5"))));
        GuardCounter neighbour = _guard.ReadCounters().Single(r => r.Name == "neighbour").Counter;
        Assert.Equal(2UL, neighbour.Packets);
        Assert.Equal(0UL, neighbour.Dropped);
    }

    [Fact]
    public void Lifting_one_ban_keeps_the_others_and_lifting_the_last_lets_traffic_through()
    {
        var v6 = IPAddress.Parse("fd00:9::1");
        Assert.Equal(Pass, Judge(Frames.Build(s_banned, Frames.Udp)));
        _guard.Block(Cidr.Parse("10.9.9.9"), ttl: null);
        _guard.Block(Cidr.Parse("fd00:9::/64"), ttl: null);
        Assert.True(_guard.Unblock(Cidr.Parse("10.9.9.9")));
        Assert.Equal(Pass, Judge(Frames.Build(s_banned, Frames.Udp)));
        Assert.Equal(Drop, Judge(Frames.Build(v6, Frames.Udp)));
        Assert.True(_guard.Unblock(Cidr.Parse("fd00:9::/64")));
        Assert.False(_guard.Unblock(Cidr.Parse("fd00:9::/64")));
        Assert.Equal(Pass, Judge(Frames.Build(v6, Frames.Udp)));
        _guard.Block(Cidr.Parse("10.9.9.0/24"), TimeSpan.FromMinutes(1));
        Assert.Equal(Drop, Judge(Frames.Build(s_banned, Frames.Udp)));
    }

    [Fact]
    public void Monitor_mode_counts_what_it_would_drop_and_passes_it()
    {
        _guard.Apply(new RuleSet { Enforce = false, Deny = [Cidr.Parse("10.9.0.0/16")] });
        Assert.Equal(Pass, Judge(Frames.Build(s_banned, Frames.Udp)));
        GuardCounter deny = _guard.ReadCounters().Single(r => r.Name == "deny").Counter;
        Assert.Equal((1UL, 1UL), (deny.Packets, deny.Dropped));
    }

    [Fact]
    public void A_failed_rule_set_leaves_the_one_in_force_untouched()
    {
        _guard.Apply(new RuleSet { Deny = [Cidr.Parse("10.9.0.0/16")] });
        var tooMany = new RuleSet
        {
            Deny = [.. Enumerable.Range(0, _guard.ListCapacityV4 + 1).Select(i => Cidr.Of(new IPAddress([11, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 32))],
        };
        var ex = Assert.Throws<RuleSetException>(() => _guard.Apply(tooMany));
        Assert.Contains("the map holds", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Drop, Judge(Frames.Build(s_banned, Frames.Udp)));
        Assert.Equal(["10.9.0.0/16"], _guard.Snapshot().Deny.Select(c => c.ToString()));
    }

    public void Dispose()
    {
        _program?.Dispose();
        _guard?.Dispose();
        XdpGuard.Remove(_paths);
    }
}
