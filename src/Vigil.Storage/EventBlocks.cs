using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Packs a batch's events into <c>event_blocks</c> rows, one block per process name (at most
/// <see cref="MaxEvents"/> events), compressed, and records in <c>event_keys</c> which names had events
/// of each exec id, pid and container. Two b-tree rows per block instead of six per event is what
/// lets the store take a busy node's events; queries unpack only the blocks they may need. The
/// blocks are encoded (JSON, packing, compression) when the batch is flushed, on two threads while
/// the writer's thread also writes the batch's other rows.
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
    private readonly List<EventBlock> _closed = [];
    private readonly Stack<EventBlock> _spare = new();
    private readonly Dictionary<(ExecId Key, string Name), long> _execKeys = [];
    private readonly Dictionary<(uint Key, string Name), long> _pidKeys = [];
    private readonly Dictionary<(string Key, string Name), long> _containerKeys = [];
    private readonly List<(EventKey Kind, string Key, string Name, long Time)> _dueKeys = [];
    // The writer's thread and one more: encoding is most of the CPU a batch costs, and the store should not take every core of a small node.
    private readonly BlockEncoder[] _encoders = [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 2)).Select(_ => new BlockEncoder())];
    private readonly Statement _insert;
    private readonly Statement _key;
    private long _nextId;
    private int _nextToEncode;

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

    public void Add(VigilEvent e, string? container)
    {
        ProcessIdentity p = e.Process;
        string name = p.Comm;
        long time = StoreTime.ToMicros(e.Timestamp);
        if (_open.TryGetValue(name, out EventBlock? block) && (time > block.FirstTime + MaxSpanMicros || time < block.LastTime - MaxSpanMicros))
        {
            // A block spans at most a minute, so deleting whole blocks by age deletes what is old and no more.
            Close(block);
            block = null;
        }
        if (block is null)
        {
            block = _spare.Count > 0 ? _spare.Pop() : new EventBlock();
            block.Start(name);
            _open[name] = block;
        }
        block.Add(e, EventJson.Name(e), time, container);
        if (Due(_execKeys, p.ExecId, name, time))
        {
            _dueKeys.Add((EventKey.Exec, p.ExecId.ToString(), name, time));
        }
        if (Due(_pidKeys, p.Pid, name, time))
        {
            _dueKeys.Add((EventKey.Pid, p.Pid.ToString(CultureInfo.InvariantCulture), name, time));
        }
        if (container is not null && Due(_containerKeys, container, name, time))
        {
            _dueKeys.Add((EventKey.Container, container, name, time));
        }
        if (block.Count == MaxEvents)
        {
            Close(block);
        }
    }

    /// <summary>
    /// Encodes and writes the batch's blocks and event keys: call before the batch commits. While a
    /// second thread encodes blocks, this one writes the keys, then <paramref name="meanwhile"/> (more
    /// of the batch's rows), then encodes the blocks left.
    /// </summary>
    public void Flush(SqliteTransaction tx, Action meanwhile)
    {
        _closed.AddRange(_open.Values);
        _open.Clear();
        _nextToEncode = -1;
        Task helper = _encoders.Length > 1 && _closed.Count > 1 ? Task.Run(() => Encode(_encoders[1])) : Task.CompletedTask;
        try
        {
            foreach ((EventKey kind, string key, string name, long time) in _dueKeys)
            {
                _key.Run(tx, (int)kind, key, name, time);
            }
            _dueKeys.Clear();
            meanwhile();
            Encode(_encoders[0]);
        }
        finally
        {
            // The blocks must not be recycled while the helper still encodes them.
            helper.Wait();
        }
        foreach (EventBlock block in _closed)
        {
            _insert.Run(tx, _nextId, block.Count, block.Name, block.Types, block.FirstTime, block.LastTime, block.Data);
            _nextId += block.Count;
        }
        Recycle();
    }

    /// <summary>After a rolled-back batch, or retention deleting keys: forget what this writer believed was written.</summary>
    public void Reset()
    {
        _closed.AddRange(_open.Values);
        _open.Clear();
        Recycle();
        _execKeys.Clear();
        _pidKeys.Clear();
        _containerKeys.Clear();
        _dueKeys.Clear();
        // Ids only grow, even when retention deleted every block: past the last block and past every record ever written.
        long afterBlocks = StoreSchema.Scalar(_connection, "SELECT first_id + count FROM event_blocks ORDER BY id DESC LIMIT 1") is long end ? end : 1;
        long afterWritten = (long)StoreSchema.Scalar(_connection, "SELECT coalesce(sum(written), 0) + 1 FROM runs")!;
        _nextId = Math.Max(afterBlocks, afterWritten);
    }

    /// <summary>Whether a key row is to be written: new to this writer, or its newest event a refresh interval past what was written.</summary>
    private static bool Due<TKey>(Dictionary<(TKey Key, string Name), long> written, TKey key, string name, long time)
    {
        ref long last = ref CollectionsMarshal.GetValueRefOrAddDefault(written, (key, name), out bool known);
        if (known && time < last + KeyRefreshMicros)
        {
            return false;
        }
        last = known ? Math.Max(time, last) : time;
        return true;
    }

    private void Close(EventBlock block)
    {
        _open.Remove(block.Name);
        _closed.Add(block);
    }

    /// <summary>Encodes the next block not yet taken until none is left, so a helper that starts late leaves the rest to the writer's thread.</summary>
    private void Encode(BlockEncoder encoder)
    {
        for (int i = Interlocked.Increment(ref _nextToEncode); i < _closed.Count; i = Interlocked.Increment(ref _nextToEncode))
        {
            encoder.Encode(_closed[i]);
        }
    }

    private void Recycle()
    {
        foreach (EventBlock block in _closed)
        {
            block.Clear();
            _spare.Push(block);
        }
        _closed.Clear();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _key.Dispose();
        foreach (BlockEncoder encoder in _encoders)
        {
            encoder.Dispose();
        }
    }
}

/// <summary>What <c>event_keys</c> maps to process names.</summary>
internal enum EventKey
{
    Exec = 0,
    Pid = 1,
    Container = 2,
}
