using Microsoft.Data.Sqlite;
using Vigil.Detection.Rules;
using Vigil.Storage.Records;

namespace Vigil.Storage;

/// <summary>The read side: what the CLI and the local API ask.</summary>
public sealed partial class EdgeStore
{
    /// <summary>The newest detections matching the query, returned oldest first.</summary>
    public IReadOnlyList<StoredDetection> Detections(DetectionQuery q)
    {
        using SqliteCommand command = _connection.CreateCommand();
        var query = new QueryBuilder(command, "SELECT id, time, rule, priority, pid, exec_id, name, container, json FROM detections");
        AddTime(query, "time", q.Since, null);
        if (q.Rule is { Length: > 0 } rule)
        {
            query.Where("rule = $rule", ("$rule", rule));
        }
        if (q.MinPriority is { } priority)
        {
            // Priorities are numbered most severe first.
            query.Where("priority <= $priority", ("$priority", (int)priority));
        }
        AddProcess(query, q.Container, null, q.ExecId, null);
        List<StoredDetection> detections = Read(query.Build("ORDER BY time DESC, id DESC", q.Limit), r => new StoredDetection(
            r.GetInt64(0), StoreTime.FromMicros(r.GetInt64(1)), r.GetString(2), (RulePriority)r.GetInt32(3), (uint)r.GetInt64(4), r.GetString(5),
            r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8)));
        detections.Reverse();
        return detections;
    }

    /// <summary>The latest revision of the most recently active incidents, newest first.</summary>
    public IReadOnlyList<StoredIncident> Incidents(DateTime? since = null, string? status = null, int limit = 100)
    {
        using SqliteCommand command = _connection.CreateCommand();
        var query = new QueryBuilder(command, "SELECT rowid, id, revision, status, title, first_seen, last_seen, confidence, json FROM incidents");
        AddTime(query, "last_seen", since, null);
        if (status is { Length: > 0 })
        {
            query.Where("status = $status", ("$status", status));
        }
        return Read(query.Build("ORDER BY last_seen DESC", limit), ReadIncident);
    }

    /// <summary>The latest revision of one incident, by id or by a prefix that names only one; null when none matches.</summary>
    public StoredIncident? Incident(string id)
    {
        using SqliteCommand command = _connection.CreateCommand();
        List<StoredIncident> matches = Read(new QueryBuilder(command, "SELECT rowid, id, revision, status, title, first_seen, last_seen, confidence, json FROM incidents")
            .Prefix("id", "id", id).Build("ORDER BY id", 2), ReadIncident);
        return matches.Find(i => i.Id == id) ?? (matches.Count == 1 ? matches[0] : null);
    }

    /// <summary>The top flows by the given order.</summary>
    public IReadOnlyList<StoredFlow> Flows(int top = 10, StoredFlowOrder by = StoredFlowOrder.Bytes, DateTime? since = null)
    {
        using SqliteCommand command = _connection.CreateCommand();
        var query = new QueryBuilder(command, "SELECT exec_id, pid, name, container, transport, direction, remote_address, remote_port, connections, bytes_sent, bytes_received, first_seen, last_seen FROM flows");
        AddTime(query, "last_seen", since, null);
        string order = by switch
        {
            StoredFlowOrder.Sent => "bytes_sent DESC",
            StoredFlowOrder.Received => "bytes_received DESC",
            StoredFlowOrder.Connections => "connections DESC",
            StoredFlowOrder.Recent => "last_seen DESC",
            _ => "bytes_sent + bytes_received DESC",
        };
        return Read(query.Build("ORDER BY " + order, top), r => new StoredFlow(
            r.GetString(0), (uint)r.GetInt64(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5),
            r.GetString(6), r.GetInt32(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), StoreTime.FromMicros(r.GetInt64(11)), StoreTime.FromMicros(r.GetInt64(12))));
    }

    /// <summary>Processes the store knows; with <paramref name="includeExited"/> false, only those with no exit recorded.</summary>
    public IReadOnlyList<StoredProcess> Processes(bool includeExited = false, int limit = 100_000)
    {
        using SqliteCommand command = _connection.CreateCommand();
        var query = new QueryBuilder(command, "SELECT exec_id, pid, parent_exec_id, ppid, name, binary, command_line, user_id, container, start, exit, exit_code FROM processes");
        if (!includeExited)
        {
            query.Where("exit IS NULL");
        }
        return Read(query.Build("ORDER BY start", limit), r => new StoredProcess(
            r.GetString(0), (uint)r.GetInt64(1), r.GetString(2), (uint)r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6),
            (uint)r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8), StoreTime.FromMicros(r.GetInt64(9)),
            r.IsDBNull(10) ? null : StoreTime.FromMicros(r.GetInt64(10)), r.IsDBNull(11) ? null : r.GetInt32(11)));
    }

    /// <summary>Every run of the writer, oldest first.</summary>
    public IReadOnlyList<StoreRun> Runs()
    {
        using SqliteCommand command = _connection.CreateCommand();
        return Read(new QueryBuilder(command, "SELECT id, started, stopped, clean, last_commit, written, dropped, backlog FROM runs").Build("ORDER BY id", int.MaxValue), r => new StoreRun(
            r.GetInt64(0), StoreTime.FromMicros(r.GetInt64(1)), r.IsDBNull(2) ? null : StoreTime.FromMicros(r.GetInt64(2)), r.GetInt64(3) != 0,
            r.IsDBNull(4) ? null : StoreTime.FromMicros(r.GetInt64(4)), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)));
    }

    /// <summary>Rows in the events table (a full count: for tests and tools, not for hot paths).</summary>
    public long EventCount() => (long)StoreSchema.Scalar(_connection, "SELECT coalesce(sum(count), 0) FROM event_blocks")!;

    /// <summary>SQLite's own consistency check: "ok", or what is wrong.</summary>
    public string IntegrityCheck() => (string)StoreSchema.Scalar(_connection, "PRAGMA integrity_check")!;

    private static void AddTime(QueryBuilder query, string column, DateTime? since, DateTime? until)
    {
        if (since is { } from)
        {
            query.Where($"{column} >= $since", ("$since", StoreTime.ToMicros(from)));
        }
        if (until is { } to)
        {
            query.Where($"{column} < $until", ("$until", StoreTime.ToMicros(to)));
        }
    }

    private static void AddProcess(QueryBuilder query, string? container, string? name, string? execId, uint? pid)
    {
        if (container is { Length: > 0 })
        {
            query.Prefix("container", "container", container);
        }
        if (name is { Length: > 0 })
        {
            query.Where("name = $name", ("$name", name));
        }
        if (execId is { Length: > 0 })
        {
            query.Where("exec_id = $exec_id", ("$exec_id", execId));
        }
        if (pid is { } p)
        {
            query.Where("pid = $pid", ("$pid", (long)p));
        }
    }

    private static StoredIncident ReadIncident(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), StoreTime.FromMicros(r.GetInt64(5)),
        StoreTime.FromMicros(r.GetInt64(6)), r.GetDouble(7), r.GetString(8));

    private List<T> Read<T>(SqliteCommand command, Func<SqliteDataReader, T> map)
    {
        var rows = new List<T>();
        try
        {
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(map(reader));
            }
        }
        catch (SqliteException ex)
        {
            throw new StoreException($"store {Path}: {ex.Message}", ex);
        }
        catch (InvalidCastException ex)
        {
            throw new StoreException($"store {Path}: corrupt record ({ex.Message})", ex);
        }
        return rows;
    }
}
