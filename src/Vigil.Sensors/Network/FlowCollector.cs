using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Network;

/// <summary>
/// Reads the kernel's per-CPU flow map on an interval: each entry is taken (read and deleted in one
/// step, so what the kernel counts meanwhile lands in a fresh entry), summed over CPUs, added to the
/// <see cref="FlowTable"/>, and, for UDP flows the filter selects, published as a flow-summary event
/// carrying that interval's bytes.
/// </summary>
internal sealed class FlowCollector(BpfMap flows, FlowTable table, IEventSink sink)
{
    private readonly FlowCounters[] _perCpu = new FlowCounters[BpfSystem.PossibleCpus];
    private long _filtered;

    /// <summary>UDP flow summaries the filter did not select: counted, not shipped.</summary>
    public long FilteredSummaries => Interlocked.Read(ref _filtered);

    public void Collect()
    {
        foreach (FlowKey key in flows.Keys<FlowKey>())
        {
            if (!flows.TryTakePerCpu(key, _perCpu.AsSpan()))
            {
                continue;
            }
            (FlowSummary interval, bool selected) = Sum(key);
            FlowSummary total = table.Add(key, interval);
            if (interval.Protocol != TransportProtocol.Udp)
            {
                continue;
            }
            if (selected)
            {
                sink.Publish(SummaryEvent(total.Direction, interval));
            }
            else
            {
                Interlocked.Increment(ref _filtered);
            }
        }
        table.Expire(DateTime.UtcNow);
    }

    private (FlowSummary Interval, bool Selected) Sum(in FlowKey key)
    {
        FlowCounters sum = default;
        ulong firstSent = ulong.MaxValue, firstReceived = ulong.MaxValue, first = ulong.MaxValue;
        bool selected = false;
        foreach (ref readonly FlowCounters c in _perCpu.AsSpan())
        {
            if (c.LastNs == 0)
            {
                continue;
            }
            if (sum.Proc.Pid == 0)
            {
                sum.Proc = c.Proc;
            }
            sum.BytesSent += c.BytesSent;
            sum.BytesReceived += c.BytesReceived;
            sum.PacketsSent += c.PacketsSent;
            sum.PacketsReceived += c.PacketsReceived;
            sum.LastNs = ulong.Max(sum.LastNs, c.LastNs);
            firstSent = c.FirstSentNs != 0 ? ulong.Min(firstSent, c.FirstSentNs) : firstSent;
            firstReceived = c.FirstReceivedNs != 0 ? ulong.Min(firstReceived, c.FirstReceivedNs) : firstReceived;
            selected |= c.Selected != 0;
        }
        first = ulong.Min(firstSent, firstReceived);
        (System.Net.IPAddress local, System.Net.IPAddress remote) = NetworkDecoder.Addresses(key.Tuple);
        var interval = new FlowSummary
        {
            Process = RecordReader.Identity(sum.Proc),
            Protocol = NetworkDecoder.Protocol(key.Tuple.Protocol),
            Direction = firstSent <= firstReceived ? NetworkDirection.Outbound : NetworkDirection.Inbound,
            LocalAddress = local,
            LocalPort = key.Tuple.Sport,
            RemoteAddress = remote,
            RemotePort = key.Tuple.Dport,
            BytesSent = sum.BytesSent,
            BytesReceived = sum.BytesReceived,
            PacketsSent = sum.PacketsSent,
            PacketsReceived = sum.PacketsReceived,
            FirstSeen = BootClock.ToWallTime(first == ulong.MaxValue ? sum.LastNs : first),
            LastSeen = BootClock.ToWallTime(sum.LastNs),
        };
        return (interval, selected);
    }

    /// <summary>One interval of a UDP flow, oriented client -> server like a connection.</summary>
    private static NetworkEvent SummaryEvent(NetworkDirection direction, FlowSummary interval)
    {
        bool outbound = direction == NetworkDirection.Outbound;
        return new NetworkEvent
        {
            Timestamp = interval.LastSeen,
            Process = interval.Process,
            Syscall = outbound ? "sendmsg" : "recvmsg",
            Protocol = TransportProtocol.Udp,
            Direction = direction,
            SourceAddress = outbound ? interval.LocalAddress : interval.RemoteAddress,
            SourcePort = outbound ? interval.LocalPort : interval.RemotePort,
            DestinationAddress = outbound ? interval.RemoteAddress : interval.LocalAddress,
            DestinationPort = outbound ? interval.RemotePort : interval.LocalPort,
            BytesSent = interval.BytesSent,
            BytesReceived = interval.BytesReceived,
        };
    }
}
