using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>
/// Writes prepared batches into the tables inside the caller's transaction, with statements compiled
/// once: blocks into <c>event_blocks</c> (giving their event ids), event keys, detections, the latest
/// revision of each incident, and the folded process and flow rows a batch carries.
/// </summary>
internal sealed class BatchWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Statement _block;
    private readonly Statement _key;
    private readonly Statement _detection;
    private readonly Statement _incident;
    private readonly Statement _processUpsert;
    private readonly Statement _processExit;
    private readonly Statement _flowUpsert;
    private readonly Statement _flowUpdate;
    private readonly FlowRowIds _flowRows = new();
    private long _nextId;

    public BatchWriter(SqliteConnection connection)
    {
        _connection = connection;
        _block = new Statement(connection,
            "INSERT INTO event_blocks (first_id, count, name, types, first_time, last_time, data) VALUES ($first_id, $count, $name, $types, $first_time, $last_time, $data)",
            "first_id", "count", "name", "types", "first_time", "last_time", "data");
        _key = new Statement(connection, """
            INSERT INTO event_keys (kind, key, name, last_time) VALUES ($kind, $key, $name, $time)
            ON CONFLICT (kind, key, name) DO UPDATE SET last_time = max(last_time, excluded.last_time)
            """,
            "kind", "key", "name", "time");
        _detection = new Statement(connection,
            "INSERT INTO detections (time, rule, priority, pid, exec_id, name, container, json) VALUES ($time, $rule, $priority, $pid, $exec_id, $name, $container, $json)",
            "time", "rule", "priority", "pid", "exec_id", "name", "container", "json");
        _incident = new Statement(connection, """
            INSERT INTO incidents (id, revision, status, title, first_seen, last_seen, confidence, json)
            VALUES ($id, $revision, $status, $title, $first_seen, $last_seen, $confidence, $json)
            ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, status = excluded.status, title = excluded.title,
                first_seen = excluded.first_seen, last_seen = excluded.last_seen, confidence = excluded.confidence, json = excluded.json
            WHERE excluded.revision > incidents.revision
            """,
            "id", "revision", "status", "title", "first_seen", "last_seen", "confidence", "json");
        _processUpsert = PendingProcesses.Upsert(connection);
        _processExit = PendingProcesses.ExitStored(connection);
        _flowUpsert = PendingFlows.Upsert(connection);
        _flowUpdate = PendingFlows.UpdateAt(connection);
        Reset();
    }

    private long _summariesTook;

    /// <summary>How long writing the last folded process and flow rows took; read by the appending thread.</summary>
    public TimeSpan SummariesTook => TimeSpan.FromTicks(Volatile.Read(ref _summariesTook));

    public void Write(PreparedBatch batch)
    {
        if (batch.Processes is not null || batch.Flows is not null)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            batch.Processes?.Write(_processUpsert, _processExit);
            batch.Flows?.Write(_flowUpsert, _flowUpdate, _flowRows);
            Volatile.Write(ref _summariesTook, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        }
        foreach (EventKeyRow key in batch.Keys)
        {
            _key.Run((int)key.Kind, key.Key, key.Name, key.Time);
        }
        foreach (object?[] detection in batch.Detections)
        {
            _detection.Run(detection);
        }
        foreach (object?[] incident in batch.Incidents)
        {
            _incident.Run(incident);
        }
        foreach (EncodedBlock block in batch.Blocks)
        {
            _block.Run(_nextId, block.Count, block.Name, block.Types, block.FirstTime, block.LastTime, block.Data);
            _nextId += block.Count;
        }
    }

    /// <summary>After a rolled-back transaction: the next event id is again the one after what is stored.</summary>
    public void Reset()
    {
        // Ids only grow, even when retention deleted every block: past the last block and past every record ever written.
        long afterBlocks = StoreSchema.Scalar(_connection, "SELECT first_id + count FROM event_blocks ORDER BY id DESC LIMIT 1") is long end ? end : 1;
        long afterWritten = (long)StoreSchema.Scalar(_connection, "SELECT coalesce(sum(written), 0) + 1 FROM runs")!;
        _nextId = Math.Max(afterBlocks, afterWritten);
    }

    public void Dispose()
    {
        _block.Dispose();
        _key.Dispose();
        _detection.Dispose();
        _incident.Dispose();
        _processUpsert.Dispose();
        _processExit.Dispose();
        _flowUpsert.Dispose();
        _flowUpdate.Dispose();
    }
}
