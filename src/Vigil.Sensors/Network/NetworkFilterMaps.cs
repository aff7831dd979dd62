using System.Buffers.Binary;
using Vigil.Bpf;

namespace Vigil.Sensors.Network;

/// <summary>
/// The filter's maps in the kernel. A new filter is written under the next generation beside the one
/// in force, swapped in by writing that generation to <c>net_state</c> (one word, so no event sees
/// half of each), and the old generation's entries are removed afterwards.
/// </summary>
internal sealed class NetworkFilterMaps(BpfObject obj)
{
    private readonly BpfMap _state = obj.Map("net_state");
    private readonly BpfMap _config = obj.Map("net_config");
    private readonly BpfMap _destinationsV4 = obj.Map("net_destinations_v4");
    private readonly BpfMap _destinationsV6 = obj.Map("net_destinations_v6");
    private readonly BpfMap _sourcesV4 = obj.Map("net_sources_v4");
    private readonly BpfMap _sourcesV6 = obj.Map("net_sources_v6");
    private readonly BpfMap _ports = obj.Map("net_ports");
    private readonly BpfMap _counters = obj.Map("net_counters");
    private CompiledNetworkFilter? _inForce;
    private IReadOnlyList<string> _ruleNames = [];

    public uint Generation { get; private set; }

    /// <summary>Writes <paramref name="next"/> and swaps it in; on failure removes what it wrote and throws.</summary>
    public void Swap(CompiledNetworkFilter next, IReadOnlyList<string> ruleNames)
    {
        uint generation = Generation + 1;
        var written = new List<Action>();
        try
        {
            foreach ((BpfMap map, IReadOnlyList<PrefixEntry> entries, int width) in Tries(next))
            {
                foreach (PrefixEntry entry in entries)
                {
                    Write(map, width, generation, entry);
                    written.Add(() => Remove(map, width, generation, entry));
                }
            }
            _config.Update(generation & 1, next.Config);
            _state.Update(0u, new NetState { Generation = generation });
        }
        catch (BpfException ex)
        {
            written.ForEach(undo => undo());
            throw new NetworkFilterException($"network filter not applied (the one in force stays): {ex.Message}", ex);
        }
        if (_inForce is not null)
        {
            foreach ((BpfMap map, IReadOnlyList<PrefixEntry> entries, int width) in Tries(_inForce))
            {
                entries.ToList().ForEach(entry => Remove(map, width, Generation, entry));
            }
        }
        _inForce = next;
        _ruleNames = ruleNames;
        Generation = generation;
    }

    public NetworkCounters Counters(long filteredFlowSummaries)
    {
        var rules = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (int i = 0; i < _ruleNames.Count; i++)
        {
            rules[_ruleNames[i]] = _counters.SumPerCpu(NetSlot.Rules + (uint)i);
        }
        return new NetworkCounters(_counters.SumPerCpu(NetSlot.Shipped), _counters.SumPerCpu(NetSlot.Filtered),
            _counters.SumPerCpu(NetSlot.Denied), _counters.SumPerCpu(NetSlot.FlowsFull), filteredFlowSummaries, rules);
    }

    private IEnumerable<(BpfMap Map, IReadOnlyList<PrefixEntry> Entries, int Width)> Tries(CompiledNetworkFilter f) =>
    [
        (_destinationsV4, f.DestinationsV4, 4),
        (_destinationsV6, f.DestinationsV6, 16),
        (_sourcesV4, f.SourcesV4, 4),
        (_sourcesV6, f.SourcesV6, 16),
        (_ports, f.Ports, 2),
    ];

    private static void Write(BpfMap map, int width, uint generation, PrefixEntry entry)
    {
        switch (width)
        {
            case 4:
                map.Update(KeyV4(generation, entry), entry.Rules);
                break;
            case 16:
                map.Update(KeyV6(generation, entry), entry.Rules);
                break;
            default:
                map.Update(KeyPort(generation, entry), entry.Rules);
                break;
        }
    }

    private static void Remove(BpfMap map, int width, uint generation, PrefixEntry entry)
    {
        _ = width switch
        {
            4 => map.Delete(KeyV4(generation, entry)),
            16 => map.Delete(KeyV6(generation, entry)),
            _ => map.Delete(KeyPort(generation, entry)),
        };
    }

    private static unsafe NetKeyV4 KeyV4(uint generation, PrefixEntry entry)
    {
        var key = new NetKeyV4 { Prefixlen = 32 + (uint)entry.Length, Generation = generation };
        BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(key.Addr, 4), (uint)(entry.Bits >> 96));
        return key;
    }

    private static unsafe NetKeyV6 KeyV6(uint generation, PrefixEntry entry)
    {
        var key = new NetKeyV6 { Prefixlen = 32 + (uint)entry.Length, Generation = generation };
        BinaryPrimitives.WriteUInt128BigEndian(new Span<byte>(key.Addr, 16), entry.Bits);
        return key;
    }

    private static unsafe NetKeyPort KeyPort(uint generation, PrefixEntry entry)
    {
        var key = new NetKeyPort { Prefixlen = 32 + (uint)entry.Length, Generation = generation };
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(key.Port, 2), (ushort)(entry.Bits >> 112));
        return key;
    }
}
