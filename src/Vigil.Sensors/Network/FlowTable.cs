namespace Vigil.Sensors.Network;

/// <summary>
/// Flows with their totals since first seen, fed from the kernel's flow map on every read-out: the
/// source of "top flows" queries. Bounded: flows idle longer than the idle time are forgotten, and
/// past the capacity the flow idle longest makes room (counted in <see cref="Evicted"/>). Thread-safe.
/// </summary>
public sealed class FlowTable
{
    private readonly Dictionary<FlowKey, FlowSummary> _flows = new(FlowKeyComparer.Instance);
    private readonly Lock _lock = new();
    private long _evicted;

    public FlowTable(int capacity, TimeSpan idle)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Idle = idle;
    }

    public int Capacity { get; }

    public TimeSpan Idle { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _flows.Count;
            }
        }
    }

    /// <summary>Flows dropped to stay within the capacity before they went idle.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Adds one read-out's counts to the flow; a new flow takes the interval's summary as it is.</summary>
    public FlowSummary Add(in FlowKey key, FlowSummary interval)
    {
        lock (_lock)
        {
            if (_flows.TryGetValue(key, out FlowSummary? known))
            {
                interval = known with
                {
                    BytesSent = known.BytesSent + interval.BytesSent,
                    BytesReceived = known.BytesReceived + interval.BytesReceived,
                    PacketsSent = known.PacketsSent + interval.PacketsSent,
                    PacketsReceived = known.PacketsReceived + interval.PacketsReceived,
                    LastSeen = interval.LastSeen > known.LastSeen ? interval.LastSeen : known.LastSeen,
                };
            }
            else if (_flows.Count >= Capacity)
            {
                FlowKey oldest = _flows.MinBy(f => f.Value.LastSeen).Key;
                _flows.Remove(oldest);
                Interlocked.Increment(ref _evicted);
            }
            _flows[key] = interval;
            return interval;
        }
    }

    /// <summary>Forgets flows with nothing seen for longer than the idle time.</summary>
    public void Expire(DateTime now)
    {
        lock (_lock)
        {
            foreach (KeyValuePair<FlowKey, FlowSummary> flow in _flows)
            {
                if (now - flow.Value.LastSeen > Idle)
                {
                    _flows.Remove(flow.Key);
                }
            }
        }
    }

    /// <summary>The <paramref name="count"/> largest flows, largest first.</summary>
    public IReadOnlyList<FlowSummary> Top(int count, FlowOrder order = FlowOrder.Bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            IEnumerable<FlowSummary> flows = _flows.Values;
            return [.. (order == FlowOrder.Bytes ? flows.OrderByDescending(f => f.Bytes) : flows.OrderByDescending(f => f.Packets)).Take(count)];
        }
    }
}
