using System.Net;
using Vigil.Sensors.Network;

namespace Vigil.Tests.Network;

public sealed class NetworkFilterCompilerTests
{
    private static NetworkRule Rule(string name, params string[] destinations) =>
        new() { Name = name, Destinations = [.. destinations.Select(IPNetwork.Parse)] };

    /// <summary>What the kernel's single longest-prefix lookup returns for an address.</summary>
    private static ulong Lookup(IReadOnlyList<PrefixEntry> trie, UInt128 bits) =>
        trie.Where(p => (bits & PrefixEntry.Mask(p.Length)) == p.Bits).MaxBy(p => p.Length).Rules;

    private static UInt128 V4(string address) =>
        (UInt128)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes()) << 96;

    [Fact]
    public void A_longest_prefix_lookup_returns_every_rule_whose_networks_contain_the_address()
    {
        CompiledNetworkFilter c = NetworkFilterCompiler.Compile(new NetworkFilter
        {
            Rules = [Rule("wide", "10.0.0.0/8"), Rule("narrow", "10.1.2.0/24", "192.168.0.0/16"), Rule("host", "10.1.2.3/32"), Rule("v6", "fd00::/8")],
        });
        Assert.Equal(0b0111ul, Lookup(c.DestinationsV4, V4("10.1.2.3")));
        Assert.Equal(0b0011ul, Lookup(c.DestinationsV4, V4("10.1.2.4")));
        Assert.Equal(0b0001ul, Lookup(c.DestinationsV4, V4("10.9.9.9")));
        Assert.Equal(0b0010ul, Lookup(c.DestinationsV4, V4("192.168.7.7")));
        Assert.DoesNotContain(c.DestinationsV4, p => (V4("11.0.0.1") & PrefixEntry.Mask(p.Length)) == p.Bits);
        Assert.Equal(0b1000ul, Assert.Single(c.DestinationsV6).Rules);
        Assert.Equal((0b1111ul, 0ul, 0b1111ul), (c.Config.AnySource, c.Config.AnyDestination, c.Config.Post));
    }

    [Theory]
    [InlineData(0, 65535)]
    [InlineData(1024, 65535)]
    [InlineData(22, 22)]
    [InlineData(3333, 3357)]
    [InlineData(1, 65534)]
    public void Port_ranges_become_prefixes_covering_exactly_the_range(int first, int last)
    {
        var range = new PortRange((ushort)first, (ushort)last);
        List<PrefixEntry> prefixes = [.. PrefixMasks.Ports(range, 1)];
        for (int port = 0; port <= 65535; port++)
        {
            UInt128 bits = (UInt128)(uint)port << 112;
            int covering = prefixes.Count(p => (bits & PrefixEntry.Mask(p.Length)) == p.Bits);
            Assert.Equal(range.Contains((ushort)port) ? 1 : 0, covering);
        }
        Assert.True(prefixes.Count <= 30, $"{prefixes.Count} prefixes for {range}");
    }

    [Fact]
    public void Overlapping_port_ranges_of_different_rules_add_up()
    {
        CompiledNetworkFilter c = NetworkFilterCompiler.Compile(new NetworkFilter
        {
            Rules =
            [
                new NetworkRule { Name = "high", DestinationPorts = [new PortRange(1024, 65535)] },
                new NetworkRule { Name = "mining", DestinationPorts = [PortRange.Single(3333), PortRange.Single(22)] },
            ],
        });
        Assert.Equal(0b11ul, Lookup(c.Ports, (UInt128)3333u << 112));
        Assert.Equal(0b01ul, Lookup(c.Ports, (UInt128)3334u << 112));
        Assert.Equal(0b10ul, Lookup(c.Ports, (UInt128)22u << 112));
    }

    [Theory]
    [InlineData("a deny rule cannot select sources")]
    [InlineData("names must be present and unique")]
    [InlineData("port range 90-80 is empty")]
    [InlineData("at most 64")]
    public void Invalid_filters_are_rejected_with_the_rule_and_the_reason(string reason)
    {
        NetworkFilter filter = reason switch
        {
            "a deny rule cannot select sources" => new() { Rules = [new NetworkRule { Name = "d", Action = NetworkAction.Deny, Directions = NetworkDirections.Outbound, Sources = [IPNetwork.Parse("10.0.0.0/8")] }] },
            "names must be present and unique" => new() { Rules = [Rule("same"), Rule("same")] },
            "port range 90-80 is empty" => new() { Rules = [new NetworkRule { Name = "p", DestinationPorts = [new PortRange(90, 80)] }] },
            _ => new() { Rules = [.. Enumerable.Range(0, 65).Select(i => Rule($"r{i}"))] },
        };
        var error = Assert.Throws<NetworkFilterException>(() => NetworkFilterCompiler.Compile(filter));
        Assert.Contains(reason, error.Message);
    }
}
