using Microsoft.Data.Sqlite;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Network events folded into <c>flows</c> rows in memory until they are written: one upsert per
/// flow and interval instead of one per event. A busy node's flows are many (every process x peer)
/// and spread over the whole table, so an upsert per event dirtied pages all over it in every batch.
/// Rows whose rowid the writer knows (<see cref="FlowRowIds"/>) are updated in rowid order; the rest
/// are upserted.
/// </summary>
internal sealed class PendingFlows
{
    private readonly Dictionary<FlowKey, FlowTotals> _flows = [];

    /// <summary>The statement <see cref="Write"/> runs for a flow whose rowid it does not know (giving the rowid), compiled once by the writer.</summary>
    public static Statement Upsert(SqliteConnection connection) => new(connection, """
            INSERT INTO flows (exec_id, pid, name, container, transport, direction, remote_address, remote_port, connections, bytes_sent, bytes_received, first_seen, last_seen)
            VALUES ($exec_id, $pid, $name, $container, $transport, $direction, $remote_address, $remote_port, $connections, $bytes_sent, $bytes_received, $first_seen, $last_seen)
            ON CONFLICT (exec_id, transport, direction, remote_address, remote_port) DO UPDATE SET
                connections = connections + excluded.connections, bytes_sent = bytes_sent + excluded.bytes_sent,
                bytes_received = bytes_received + excluded.bytes_received, last_seen = max(last_seen, excluded.last_seen)
            RETURNING id
            """,
            "exec_id", "pid", "name", "container", "transport", "direction", "remote_address", "remote_port", "connections", "bytes_sent", "bytes_received", "first_seen", "last_seen");

    /// <summary>The statement <see cref="Write"/> runs for a flow at a known rowid; it changes nothing when that row is another flow's.</summary>
    public static Statement UpdateAt(SqliteConnection connection) => new(connection, """
            UPDATE flows SET connections = connections + $connections, bytes_sent = bytes_sent + $bytes_sent,
                bytes_received = bytes_received + $bytes_received, last_seen = max(last_seen, $last_seen)
            WHERE id = $id AND remote_port = $remote_port AND remote_address = $remote_address AND exec_id = $exec_id
                AND transport = $transport AND direction = $direction
            """,
            "connections", "bytes_sent", "bytes_received", "last_seen", "id", "remote_port", "remote_address", "exec_id", "transport", "direction");

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

    /// <summary>Adds what was folded to the table (statements from <see cref="Upsert"/> and <see cref="UpdateAt"/>), noting where each row is.</summary>
    public void Write(Statement upsert, Statement updateAt, FlowRowIds rows)
    {
        var known = new List<(long RowId, FlowKey Key, FlowTotals Totals)>(_flows.Count);
        foreach ((FlowKey key, FlowTotals t) in _flows)
        {
            if (rows.TryGet(key, out long rowId))
            {
                known.Add((rowId, key, t));
            }
            else
            {
                Upsert(key, t);
            }
        }
        known.Sort((a, b) => a.RowId.CompareTo(b.RowId));
        foreach ((long rowId, FlowKey key, FlowTotals t) in known)
        {
            if (updateAt.Run(t.Connections, t.BytesSent, t.BytesReceived, t.LastSeen, rowId, key.RemotePort, key.Remote.ToString(), key.ExecId.ToString(), key.Transport, key.Direction) == 1)
            {
                rows.Written(key, rowId);
            }
            else
            {
                Upsert(key, t);
            }
        }
        rows.EndWrite();

        void Upsert(FlowKey key, FlowTotals t) => rows.Written(key, upsert.Scalar(key.ExecId.ToString(), t.Pid, t.Name, t.Container, key.Transport,
            key.Direction, key.Remote.ToString(), key.RemotePort, t.Connections, t.BytesSent, t.BytesReceived, t.FirstSeen, t.LastSeen));
    }

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
