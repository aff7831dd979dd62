using System.Globalization;
using System.IO.Compression;
using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>
/// Packs a batch's events into <c>event_blocks</c> rows, one block per process name (at most
/// <see cref="MaxEvents"/> events), compressed, and records in <c>event_keys</c> which names had events
/// of each exec id, pid and container. Two b-tree rows per block instead of six per event is what
/// lets the store take a busy node's events; queries unpack only the blocks they may need.
/// </summary>
internal sealed class EventBlocks : IDisposable
{
    public const int MaxEvents = 256;

    /// <summary>The most time between the events of one block.</summary>
    public const long MaxSpanMicros = 60_000_000;

    /// <summary>A key's last time is written again only when it is this much older than its newest event, so most events touch no key row.</summary>
    public static readonly long KeyRefreshMicros = 60_000_000;

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, EventBlock> _open = new(StringComparer.Ordinal);
    private readonly Stack<EventBlock> _spare = new();
    private readonly Dictionary<(EventKey Kind, string Key, string Name), long> _keys = [];
    private readonly MemoryStream _compressed = new();
    private readonly Statement _insert;
    private readonly Statement _key;
    private long _nextId;

    public EventBlocks(SqliteConnection connection)
    {
        _connection = connection;
        _insert = new Statement(connection,
            "INSERT INTO event_blocks (first_id, count, name, types, first_time, last_time, data) VALUES ($first_id, $count, $name, $types, $first_time, $last_time, $data)",
            "first_id", "count", "name", "types", "first_time", "last_time", "data");
        _key = new Statement(connection, """
            INSERT INTO event_keys (kind, key, name, last_time) VALUES ($kind, $key, $name, $time)
            ON CONFLICT (kind, key, name) DO UPDATE SET last_time = max(last_time, excluded.last_time)
            """,
            "kind", "key", "name", "time");
        Reset();
    }

    public void Add(SqliteTransaction tx, string name, string type, long time, uint pid, string execId, string? container, ReadOnlySpan<byte> json)
    {
        if (_open.TryGetValue(name, out EventBlock? block) && (time > block.FirstTime + MaxSpanMicros || time < block.LastTime - MaxSpanMicros))
        {
            // A block spans at most a minute, so deleting whole blocks by age deletes what is old and no more.
            Write(tx, name, block);
            block = null;
        }
        if (block is null)
        {
            block = _spare.Count > 0 ? _spare.Pop() : new EventBlock();
            _open[name] = block;
        }
        block.Add(type, time, pid, execId, container, json);
        Key(tx, EventKey.Exec, execId, name, time);
        Key(tx, EventKey.Pid, pid.ToString(CultureInfo.InvariantCulture), name, time);
        if (container is not null)
        {
            Key(tx, EventKey.Container, container, name, time);
        }
        if (block.Count == MaxEvents)
        {
            Write(tx, name, block);
        }
    }

    /// <summary>Writes the blocks still open: call before the batch commits.</summary>
    public void Flush(SqliteTransaction tx)
    {
        foreach ((string name, EventBlock block) in _open)
        {
            if (block.Count > 0)
            {
                Write(tx, name, block);
            }
        }
    }

    /// <summary>After a rolled-back batch, or retention deleting keys: forget what this writer believed was written.</summary>
    public void Reset()
    {
        foreach (EventBlock block in _open.Values)
        {
            block.Clear();
            _spare.Push(block);
        }
        _open.Clear();
        _keys.Clear();
        // Ids only grow, even when retention deleted every block: past the last block and past every record ever written.
        long afterBlocks = StoreSchema.Scalar(_connection, "SELECT first_id + count FROM event_blocks ORDER BY id DESC LIMIT 1") is long end ? end : 1;
        long afterWritten = (long)StoreSchema.Scalar(_connection, "SELECT coalesce(sum(written), 0) + 1 FROM runs")!;
        _nextId = Math.Max(afterBlocks, afterWritten);
    }

    private void Key(SqliteTransaction tx, EventKey kind, string key, string name, long time)
    {
        var id = (kind, key, name);
        if (_keys.TryGetValue(id, out long written) && time < written + KeyRefreshMicros)
        {
            return;
        }
        _key.Run(tx, (int)kind, key, name, time);
        _keys[id] = Math.Max(time, written);
    }

    private void Write(SqliteTransaction tx, string name, EventBlock block)
    {
        _compressed.SetLength(0);
        using (var deflate = new DeflateStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(block.Raw);
        }
        _insert.Run(tx, _nextId, block.Count, name, block.Types, block.FirstTime, block.LastTime, _compressed.ToArray());
        _nextId += block.Count;
        block.Clear();
        _open.Remove(name);
        _spare.Push(block);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _key.Dispose();
    }
}

/// <summary>What <c>event_keys</c> maps to process names.</summary>
internal enum EventKey
{
    Exec = 0,
    Pid = 1,
    Container = 2,
}
