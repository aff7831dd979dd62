using System.Diagnostics;
using Vigil.Events;

namespace Vigil.Enrichment.Processes;

/// <summary>
/// Events whose process is not in the cache yet wait here, briefly and boundedly, for its exec or
/// fork record: the sensors' ring buffers are read in turn, so a file or network record can
/// overtake the exec that came before it. So do events of a forked child that has exec'd while its
/// exec record is still on its way (<see cref="ExecOnItsWay"/>): its image is not its parent's any
/// more. When the process arrives its events go on with it, in their order; when the wait ends
/// first they go on with what was known (counted): nothing, or the forked image, never an invented one.
/// </summary>
public sealed class LateContext : IDisposable
{
    private readonly LateContextOptions _options;
    private readonly IEventSink _next;
    private readonly Lock _lock = new();
    private readonly LinkedList<Parked> _parked = new();
    private readonly Dictionary<ExecId, int> _parkedPerProcess = [];
    private readonly Timer? _timer;
    private long _filled;
    private long _expired;
    private long _overflowed;

    private readonly record struct Parked(VigilEvent Event, long DueTimestamp);

    public LateContext(LateContextOptions options, IEventSink next)
    {
        _options = options;
        _next = next;
        if (options.Wait > TimeSpan.Zero)
        {
            TimeSpan period = TimeSpan.FromTicks(Math.Max(options.Wait.Ticks / 4, TimeSpan.TicksPerMillisecond * 5));
            _timer = new Timer(_ => Expire(Stopwatch.GetTimestamp()), null, period, period);
        }
    }

    /// <summary>Events that waited and then got their process.</summary>
    public long Filled => Interlocked.Read(ref _filled);

    /// <summary>Events whose wait ended without their process's record: passed on without context, or with the forked image.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Events passed on without context at once because too many were waiting.</summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>Holds an event whose process is unknown, or passes it on at once when waiting is off or full.</summary>
    public void Park(VigilEvent e)
    {
        lock (_lock)
        {
            if (_timer is not null && _parked.Count < _options.Capacity)
            {
                _parked.AddLast(new Parked(e, Stopwatch.GetTimestamp() + (long)(_options.Wait.TotalSeconds * Stopwatch.Frequency)));
                _parkedPerProcess[e.Process.ExecId] = _parkedPerProcess.GetValueOrDefault(e.Process.ExecId) + 1;
                return;
            }
        }
        Interlocked.Increment(ref _overflowed);
        _next.Publish(e);
    }

    /// <summary>
    /// Whether <paramref name="e"/>, of a process known only from its fork, already carries another
    /// name than the forked image: the process has exec'd and its exec record is still on its way.
    /// (A thread renamed with prctl looks the same; its events wait out the wait and go on with the forked image.)
    /// </summary>
    public static bool ExecOnItsWay(VigilEvent e, ProcessInfo known) =>
        known.Source == ProcessSource.Fork && !string.Equals(e.Process.Comm, known.Comm, StringComparison.Ordinal);

    /// <summary>A process became known: its waiting events go on with it, oldest first (those it cannot be the image of wait on with it as their fallback).</summary>
    public void Arrived(ProcessInfo process)
    {
        lock (_lock)
        {
            if (!_parkedPerProcess.TryGetValue(process.ExecId, out int waiting))
            {
                return;
            }
            for (LinkedListNode<Parked>? node = _parked.First; node is not null;)
            {
                LinkedListNode<Parked>? next = node.Next;
                VigilEvent e = node.Value.Event;
                if (e.Process.ExecId == process.ExecId)
                {
                    e.Context = process;
                    if (!ExecOnItsWay(e, process))
                    {
                        _parked.Remove(node);
                        waiting--;
                        Interlocked.Increment(ref _filled);
                        _next.Publish(e);
                    }
                }
                node = next;
            }
            if (waiting == 0)
            {
                _parkedPerProcess.Remove(process.ExecId);
            }
            else
            {
                _parkedPerProcess[process.ExecId] = waiting;
            }
        }
    }

    private void Expire(long now)
    {
        lock (_lock)
        {
            while (_parked.First is { } oldest && oldest.Value.DueTimestamp <= now)
            {
                _parked.RemoveFirst();
                ExecId id = oldest.Value.Event.Process.ExecId;
                int left = _parkedPerProcess[id] - 1;
                if (left == 0)
                {
                    _parkedPerProcess.Remove(id);
                }
                else
                {
                    _parkedPerProcess[id] = left;
                }
                Interlocked.Increment(ref _expired);
                _next.Publish(oldest.Value.Event);
            }
        }
    }

    /// <summary>Passes on whatever still waits, without context.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        Expire(long.MaxValue);
    }
}
