using System.Net;
using Microsoft.Data.Sqlite;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Network events folded into <c>flows</c> rows in memory until they are written: one upsert per
/// flow and interval instead of one per event. A busy node's flows are many (every process x peer)
/// and spread over the whole table, so an upsert per event dirtied pages all over it in every batch.
/// </summary>
internal sealed class PendingFlows
{
    private readonly Dictionary<FlowKey, FlowTotals> _flows = [];

    /// <summary>The statement <see cref="Write"/> runs, compiled once by the writer.</summary>
    public static Statement Upsert(SqliteConnection connection) => new(connection, """
            INSERT INTO flows (exec_id, pid, name, container, transport, direction, remote_address, remote_port, connections, bytes_sent, bytes_received, first_seen, last_seen)
            VALUES ($exec_id, $pid, $name, $container, $transport, $direction, $remote_address, $remote_port, $connections, $bytes_sent, $bytes_received, $first_seen, $last_seen)
            ON CONFLICT (exec_id, transport, direction, remote_address, remote_port) DO UPDATE SET
                connections = connections + excluded.connections, bytes_sent = bytes_sent + excluded.bytes_sent,
                bytes_received = bytes_received + excluded.bytes_received, last_seen = max(last_seen, excluded.last_seen)
            """,
            "exec_id", "pid", "name", "container", "transport", "direction", "remote_address", "remote_port", "connections", "bytes_sent", "bytes_received", "first_seen", "last_seen");

    public void Add(NetworkEvent net, long time, string? container)
    {
        bool outbound = net.Direction == NetworkDirection.Outbound;
        var key = new FlowKey(net.Process.ExecId, net.Protocol, outbound, outbound ? net.DestinationAddress : net.SourceAddress, outbound ? net.DestinationPort : net.SourcePort);
        if (!_flows.TryGetValue(key, out FlowTotals? totals))
        {
            // As the row would be inserted by its first event: that event's pid, name, container and time.
            totals = new FlowTotals(net.Process.Pid, net.Process.Comm, container, time);
            _flows.Add(key, totals);
        }
        if (net.Syscall is "connect" or "accept")
        {
            totals.Connections++;
        }
        totals.BytesSent += (long)net.BytesSent;
        totals.BytesReceived += (long)net.BytesReceived;
        totals.LastSeen = Math.Max(totals.LastSeen, time);
    }

    /// <summary>Adds what was folded to the table (<paramref name="upsert"/> from <see cref="Upsert"/>).</summary>
    public void Write(SqliteTransaction tx, Statement upsert)
    {
        foreach ((FlowKey key, FlowTotals t) in _flows)
        {
            upsert.Run(tx, key.ExecId.ToString(), t.Pid, t.Name, t.Container, key.Protocol == TransportProtocol.Tcp ? "tcp" : "udp",
                key.Outbound ? "transmit" : "receive", key.Remote.ToString(), key.RemotePort, t.Connections, t.BytesSent, t.BytesReceived, t.FirstSeen, t.LastSeen);
        }
    }

    private readonly record struct FlowKey(ExecId ExecId, TransportProtocol Protocol, bool Outbound, IPAddress Remote, ushort RemotePort);

    private sealed class FlowTotals(uint pid, string name, string? container, long firstSeen)
    {
        public uint Pid { get; } = pid;

        public string Name { get; } = name;

        public string? Container { get; } = container;

        public long FirstSeen { get; } = firstSeen;

        public long LastSeen { get; set; } = firstSeen;

        public long Connections { get; set; }

        public long BytesSent { get; set; }

        public long BytesReceived { get; set; }
    }
}
