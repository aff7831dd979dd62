using Vigil.Events;

namespace Vigil.Tests.Support;

/// <summary>Keeps every event a sensor publishes and lets a test wait for the one it expects.</summary>
public sealed class CollectingSink : IEventSink
{
    private readonly List<VigilEvent> _events = [];
    private readonly object _lock = new(); // Monitor.Wait/PulseAll need a monitor, not a Lock

    public void Publish(VigilEvent e)
    {
        lock (_lock)
        {
            _events.Add(e);
            Monitor.PulseAll(_lock);
        }
    }

    public List<VigilEvent> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    /// <summary>Waits for the first event matching <paramref name="match"/>; fails after <paramref name="timeout"/>.</summary>
    public T WaitFor<T>(Func<T, bool> match, TimeSpan? timeout = null) where T : VigilEvent
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        lock (_lock)
        {
            while (true)
            {
                if (_events.OfType<T>().FirstOrDefault(match) is { } found)
                {
                    return found;
                }
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no matching {typeof(T).Name} within the timeout ({_events.Count} events seen)");
                }
                Monitor.Wait(_lock, left);
            }
        }
    }
}
