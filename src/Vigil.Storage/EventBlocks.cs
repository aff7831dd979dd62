using System.Globalization;
using System.Runtime.InteropServices;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Packs a batch's events into blocks, one per process name (at most <see cref="MaxEvents"/> events),
/// compressed, and notes which names had events of each exec id, pid and container (<c>event_keys</c>).
/// Two b-tree rows per block instead of six per event is what lets the store take a busy node's events;
/// queries unpack only the blocks they may need. Encoding (JSON, packing, compression) is most of the
/// CPU a batch costs and needs no database, so it runs on the appending thread and one more, while
/// the commit thread writes the batch before.
/// </summary>
internal sealed class EventBlocks : IDisposable
{
    public const int MaxEvents = 256;

    /// <summary>The most time between the events of one block.</summary>
    public const long MaxSpanMicros = 60_000_000;

    /// <summary>
    /// A key's last time is written again only when it is this much older than its newest event, so most
    /// events touch no key row. Queries do not read it; it only lets retention delete keys no block
    /// can hold any more, which a key outliving its events by this much does not hurt.
    /// </summary>
    public const long KeyRefreshMicros = 600_000_000;

    private readonly Dictionary<string, EventBlock> _open = new(StringComparer.Ordinal);
    private readonly List<EventBlock> _closed = [];
    private readonly Stack<EventBlock> _spare = new();
    private readonly Dictionary<(ExecId Key, string Name), long> _execKeys = [];
    private readonly Dictionary<(uint Key, string Name), long> _pidKeys = [];
    private readonly Dictionary<(string Key, string Name), long> _containerKeys = [];
    private readonly List<EventKeyRow> _dueKeys = [];
    // The appending thread and one more: the store should not take every core of a small node.
    private readonly BlockEncoder[] _encoders = [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 2)).Select(_ => new BlockEncoder())];
    private int _nextToEncode;

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
            _dueKeys.Add(new EventKeyRow(EventKey.Exec, p.ExecId.ToString(), name, time));
        }
        if (Due(_pidKeys, p.Pid, name, time))
        {
            _dueKeys.Add(new EventKeyRow(EventKey.Pid, p.Pid.ToString(CultureInfo.InvariantCulture), name, time));
        }
        if (container is not null && Due(_containerKeys, container, name, time))
        {
            _dueKeys.Add(new EventKeyRow(EventKey.Container, container, name, time));
        }
        if (block.Count == MaxEvents)
        {
            Close(block);
        }
    }

    /// <summary>Closes every block, encodes them (on this thread and a helper) and moves them, with the keys due, into <paramref name="batch"/>.</summary>
    public void Encode(PreparedBatch batch)
    {
        _closed.AddRange(_open.Values);
        _open.Clear();
        _nextToEncode = -1;
        Task helper = _encoders.Length > 1 && _closed.Count > 1 ? Task.Run(() => Encode(_encoders[1])) : Task.CompletedTask;
        try
        {
            Encode(_encoders[0]);
        }
        finally
        {
            // The blocks must not be recycled while the helper still encodes them.
            helper.Wait();
        }
        foreach (EventBlock block in _closed)
        {
            batch.Blocks.Add(new EncodedBlock(block.Name, block.Count, block.Types, block.FirstTime, block.LastTime, block.Data));
            block.Clear();
            _spare.Push(block);
        }
        _closed.Clear();
        batch.Keys.AddRange(_dueKeys);
        _dueKeys.Clear();
    }

    /// <summary>Retention deleted event keys: forget which were written, so the next events of each write theirs again.</summary>
    public void ForgetKeys()
    {
        _execKeys.Clear();
        _pidKeys.Clear();
        _containerKeys.Clear();
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

    /// <summary>Encodes the next block not yet taken until none is left, so a helper that starts late leaves the rest to the appending thread.</summary>
    private void Encode(BlockEncoder encoder)
    {
        for (int i = Interlocked.Increment(ref _nextToEncode); i < _closed.Count; i = Interlocked.Increment(ref _nextToEncode))
        {
            encoder.Encode(_closed[i]);
        }
    }

    public void Dispose()
    {
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
