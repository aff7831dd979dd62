using Vigil.Events;

namespace Vigil.Enrichment.Processes;

/// <summary>
/// The agent's view of live processes and their ancestry, keyed by exec id so pid reuse never
/// mixes up two processes. Bounded: past the capacity the least recently used entry (exited
/// processes first) is evicted and counted. Thread-safe.
/// </summary>
public sealed class ProcessCache
{
    private readonly Dictionary<ExecId, LinkedListNode<ProcessInfo>> _entries = [];
    private readonly LinkedList<ProcessInfo> _lru = new(); // first = most recently used
    private readonly Lock _lock = new();
    private long _evictions;

    public ProcessCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Evictions => Interlocked.Read(ref _evictions);

    public ProcessInfo? Find(ExecId id)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(id, out var node) ? node.Value : null;
        }
    }

    /// <summary>Live (not exited) entries with this pid; the newest first.</summary>
    public ProcessInfo? FindLive(uint pid)
    {
        lock (_lock)
        {
            return _lru.FirstOrDefault(p => p.Pid == pid && p.ExitTime is null);
        }
    }

    public List<ProcessInfo> Snapshot()
    {
        lock (_lock)
        {
            return [.. _lru];
        }
    }

    /// <summary>Adds or refreshes an entry and links it to its parent when the parent is cached.</summary>
    public void Put(ProcessInfo info)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(info.ExecId, out var existing))
            {
                _lru.Remove(existing);
            }
            info.Parent ??= _entries.TryGetValue(info.ParentExecId, out var parent) ? parent.Value : null;
            _entries[info.ExecId] = _lru.AddFirst(info);
            while (_entries.Count > Capacity)
            {
                Evict();
            }
        }
    }

    /// <summary>Marks an entry exited: it stays for late events but is the first to go.</summary>
    public void MarkExited(ExecId id, DateTime when)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(id, out var node))
            {
                node.Value.ExitTime = when;
                _lru.Remove(node);
                _lru.AddLast(node);
            }
        }
    }

    /// <summary>Ancestors, nearest first, as far as the cache knows them (at most <paramref name="max"/>).</summary>
    public static List<ProcessInfo> Ancestors(ProcessInfo process, int max)
    {
        var result = new List<ProcessInfo>();
        for (ProcessInfo? p = process.Parent; p is not null && result.Count < max; p = p.Parent)
        {
            result.Add(p);
        }
        return result;
    }

    private void Evict()
    {
        LinkedListNode<ProcessInfo> victim = _lru.Last!;
        _lru.RemoveLast();
        _entries.Remove(victim.Value.ExecId);
        Interlocked.Increment(ref _evictions);
    }
}
