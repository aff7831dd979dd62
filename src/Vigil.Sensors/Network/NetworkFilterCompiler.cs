using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Sensors.Network;

/// <summary>A filter as map contents: the per-generation config and the entries of each trie.</summary>
public sealed record CompiledNetworkFilter(
    NetConfig Config,
    IReadOnlyList<PrefixEntry> DestinationsV4,
    IReadOnlyList<PrefixEntry> DestinationsV6,
    IReadOnlyList<PrefixEntry> SourcesV4,
    IReadOnlyList<PrefixEntry> SourcesV6,
    IReadOnlyList<PrefixEntry> Ports);

/// <summary>Compiles a <see cref="NetworkFilter"/>: rule i becomes bit i of every mask.</summary>
public static class NetworkFilterCompiler
{
    public static CompiledNetworkFilter Compile(NetworkFilter filter)
    {
        filter.Validate();
        var config = new NetConfig { Enabled = filter.Rules.Count > 0 ? 1u : 0u };
        var destinationsV4 = new List<PrefixEntry>();
        var destinationsV6 = new List<PrefixEntry>();
        var sourcesV4 = new List<PrefixEntry>();
        var sourcesV6 = new List<PrefixEntry>();
        var ports = new List<PrefixEntry>();
        for (int i = 0; i < filter.Rules.Count; i++)
        {
            NetworkRule rule = filter.Rules[i];
            ulong bit = 1UL << i;
            config.Rules |= bit;
            config.Post |= rule.Action is NetworkAction.Post or NetworkAction.Deny ? bit : 0;
            config.Deny |= rule.Action == NetworkAction.Deny ? bit : 0;
            config.Tcp |= rule.Protocols.HasFlag(NetworkProtocols.Tcp) ? bit : 0;
            config.Udp |= rule.Protocols.HasFlag(NetworkProtocols.Udp) ? bit : 0;
            config.Outbound |= rule.Directions.HasFlag(NetworkDirections.Outbound) ? bit : 0;
            config.Inbound |= rule.Directions.HasFlag(NetworkDirections.Inbound) ? bit : 0;
            config.AnyDestination |= rule.Destinations.Count == 0 ? bit : 0;
            config.AnySource |= rule.Sources.Count == 0 ? bit : 0;
            config.AnyPort |= rule.DestinationPorts.Count == 0 ? bit : 0;
            AddNetworks(rule.Destinations, bit, destinationsV4, destinationsV6);
            AddNetworks(rule.Sources, bit, sourcesV4, sourcesV6);
            ports.AddRange(rule.DestinationPorts.SelectMany(range => PrefixMasks.Ports(range, bit)));
        }
        return new CompiledNetworkFilter(config, PrefixMasks.Build(destinationsV4), PrefixMasks.Build(destinationsV6),
            PrefixMasks.Build(sourcesV4), PrefixMasks.Build(sourcesV6), PrefixMasks.Build(ports));
    }

    private static void AddNetworks(IEnumerable<IPNetwork> networks, ulong bit, List<PrefixEntry> v4, List<PrefixEntry> v6)
    {
        Span<byte> bytes = stackalloc byte[16];
        foreach (IPNetwork network in networks)
        {
            network.BaseAddress.TryWriteBytes(bytes, out int written);
            if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                v4.Add(new PrefixEntry((UInt128)BinaryPrimitives.ReadUInt32BigEndian(bytes) << 96, network.PrefixLength, bit));
            }
            else if (network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96)
            {
                // The kernel reports IPv4 connections on IPv6 sockets as IPv4: match them there.
                v4.Add(new PrefixEntry((UInt128)BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]) << 96, network.PrefixLength - 96, bit));
            }
            else
            {
                v6.Add(new PrefixEntry(BinaryPrimitives.ReadUInt128BigEndian(bytes[..written]), network.PrefixLength, bit));
            }
        }
    }
}
