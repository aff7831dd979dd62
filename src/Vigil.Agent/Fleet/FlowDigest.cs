using System.Net;
using System.Text.Json;
using Vigil.Events;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Closed connections and UDP flow read-outs summed over a window per executable, direction,
/// transport, peer address and service port: what the fleet needs from a node's traffic (who talks
/// to whom, how often, how much) at a size that follows the number of distinct peers, not of
/// connections. Beyond <c>maxKeys</c> peers in one window, the rest is summed into one line.
/// </summary>
public sealed class FlowDigest(int maxKeys = 4096)
{
    private readonly Lock _lock = new();
    private Dictionary<FlowKey, FlowTotals> _flows = [];
    private FlowTotals _other = new();

    public void Add(NetworkEvent e)
    {
        bool outbound = e.Direction == NetworkDirection.Outbound;
        var key = new FlowKey(e.Context?.Binary ?? e.Process.Comm, outbound, e.Protocol == TransportProtocol.Tcp,
            outbound ? e.DestinationAddress : e.SourceAddress, e.DestinationPort);
        lock (_lock)
        {
            if (!_flows.TryGetValue(key, out FlowTotals? totals))
            {
                totals = _flows.Count < maxKeys ? _flows[key] = new FlowTotals() : _other;
            }
            totals.Flows++;
            totals.BytesSent += e.BytesSent;
            totals.BytesReceived += e.BytesReceived;
        }
    }

    /// <summary>Takes the window's totals, leaving an empty window; false when nothing happened in it.</summary>
    public bool TryTake(out IReadOnlyDictionary<FlowKey, FlowTotals> flows, out FlowTotals other)
    {
        lock (_lock)
        {
            flows = _flows;
            other = _other;
            _flows = [];
            _other = new FlowTotals();
        }
        return flows.Count > 0 || other.Flows > 0;
    }

    /// <summary>One summary object per peer, then the rest, as the elements of a JSON array.</summary>
    public static void WriteFlows(Utf8JsonWriter w, IReadOnlyDictionary<FlowKey, FlowTotals> flows, FlowTotals other)
    {
        foreach ((FlowKey key, FlowTotals totals) in flows)
        {
            w.WriteStartObject();
            w.WriteString("process.executable.path", key.Executable);
            w.WriteString("network.transport", key.Tcp ? "tcp" : "udp");
            w.WriteString("network.io.direction", key.Outbound ? "transmit" : "receive");
            w.WriteString("network.peer.address", key.Peer.ToString());
            w.WriteNumber("destination.port", key.Port);
            totals.Write(w);
            w.WriteEndObject();
        }
        if (other.Flows > 0)
        {
            w.WriteStartObject();
            w.WriteBoolean("vigil.flow.other", true);
            other.Write(w);
            w.WriteEndObject();
        }
    }
}

/// <summary>What a flow summary is kept per: the process's executable, direction, transport, the remote address and the service port.</summary>
public readonly record struct FlowKey(string Executable, bool Outbound, bool Tcp, IPAddress Peer, ushort Port);

/// <summary>Connections (or UDP flow read-outs) and bytes of one key in a window.</summary>
public sealed class FlowTotals
{
    public long Flows { get; set; }

    public ulong BytesSent { get; set; }

    public ulong BytesReceived { get; set; }

    public void Write(Utf8JsonWriter w)
    {
        w.WriteNumber("vigil.flow.count", Flows);
        w.WriteNumber("vigil.network.bytes_sent", BytesSent);
        w.WriteNumber("vigil.network.bytes_received", BytesReceived);
    }
}
