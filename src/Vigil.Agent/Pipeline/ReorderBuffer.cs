namespace Vigil.Agent.Pipeline;

/// <summary>
/// Holds items for a short window and hands them on in event-time order. Each sensor's ring is in
/// order, but the readers drain the rings independently, so under load an exec can reach the
/// correlator after the file write its new process made, and sequences match in arrival order. An
/// item is due once it has been held a window since it arrived, whatever its event time: under load
/// every event arrives late, and judging by event time would hand each on at once, in arrival order,
/// just when the rings drift apart most.
/// Not thread-safe: the correlation thread owns it.
/// </summary>
public sealed class ReorderBuffer<T>(TimeSpan window)
{
    private readonly PriorityQueue<(T Item, DateTime Arrival), (DateTime Time, long Order)> _held = new();
    private long _order;

    public int Count => _held.Count;

    public void Add(T item, DateTime time, DateTime now) => _held.Enqueue((item, now), (time, _order++));

    /// <summary>The oldest held item, if it is due at <paramref name="now"/> (or <paramref name="all"/>: draining).</summary>
    public bool TryTake(DateTime now, out T item, bool all = false)
    {
        if (_held.TryPeek(out var head, out _) && (all || head.Arrival <= now - window))
        {
            _held.Dequeue();
            item = head.Item;
            return true;
        }
        item = default!;
        return false;
    }

    /// <summary>How long until the oldest held item is due; null when nothing is held.</summary>
    public TimeSpan? UntilDue(DateTime now)
    {
        if (!_held.TryPeek(out var head, out _))
        {
            return null;
        }
        DateTime due = head.Arrival + window;
        return due > now ? due - now : TimeSpan.Zero;
    }
}
