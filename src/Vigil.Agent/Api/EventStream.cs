using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Vigil.Agent.Pipeline;
using Vigil.Events;

namespace Vigil.Agent.Api;

/// <summary>
/// Live events for <c>/api/events/stream</c>: one sink queue for all clients, then a bounded queue
/// per subscriber holding only what its filter lets through. A slow browser loses its own events
/// (counted), never anyone else's, and never stalls the pipeline.
/// </summary>
public sealed class EventStream : ConclusionQueue
{
    public const int SubscriberCapacity = 8192;

    private readonly Lock _lock = new();
    private Subscriber[] _subscribers = [];
    private long _subscriberDrops;

    public EventStream(int capacity = 65536)
        : base("api-stream", capacity)
    {
        StartDraining();
    }

    /// <summary>Events a subscriber's queue had no room for, summed over all subscribers so far.</summary>
    public long SubscriberDrops => Interlocked.Read(ref _subscriberDrops);

    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    protected override bool Wants(object record) => record is VigilEvent && Volatile.Read(ref _subscribers).Length > 0;

    protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        Subscriber[] subscribers = Volatile.Read(ref _subscribers);
        foreach (VigilEvent e in batch.OfType<VigilEvent>())
        {
            string? json = null;
            foreach (Subscriber s in subscribers)
            {
                if (!s.Filter.Matches(e))
                {
                    continue;
                }
                json ??= ApiJson.Event(e);
                if (s.Filter.MatchesText(json) && !s.Queue.Writer.TryWrite(json))
                {
                    Interlocked.Increment(ref _subscriberDrops);
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A "ready" item once the subscription is in place (it also sends the response headers
    /// at once), then every event matching <paramref name="filter"/> as an "event" item with the
    /// event's JSON, until the caller stops listening.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> Subscribe(EventFilter filter, [EnumeratorCancellation] CancellationToken cancel)
    {
        var subscriber = new Subscriber(filter, Channel.CreateBounded<string>(new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));
        Change(s => [.. s, subscriber]);
        try
        {
            yield return new SseItem<string>("{}", "ready");
            await foreach (string json in subscriber.Queue.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                yield return new SseItem<string>(json, "event");
            }
        }
        finally
        {
            Change(s => [.. s.Where(x => x != subscriber)]);
        }
    }

    /// <summary>Ends every live stream (the server is stopping).</summary>
    public void CloseSubscribers()
    {
        foreach (Subscriber s in Volatile.Read(ref _subscribers))
        {
            s.Queue.Writer.TryComplete();
        }
    }

    private void Change(Func<Subscriber[], Subscriber[]> change)
    {
        lock (_lock)
        {
            Volatile.Write(ref _subscribers, change(_subscribers));
        }
    }

    private sealed record Subscriber(EventFilter Filter, Channel<string> Queue);
}
