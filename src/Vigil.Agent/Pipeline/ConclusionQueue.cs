using System.Threading.Channels;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Pipeline;

/// <summary>
/// A sink with its own bounded queue and drop counter: the pipeline only ever enqueues, a full
/// queue drops and counts, and a slow or dead destination (a terminal, a disk, a collector, NATS)
/// never stalls the kernel reader or the other sinks. Records reach the destination in batches of
/// what has queued up, in order.
/// </summary>
public abstract class ConclusionQueue : IConclusionSink, IAsyncDisposable
{
    private readonly Channel<object> _queue;
    private readonly int _maxBatch;
    private Task? _drain;
    private long _dropped;
    private long _failed;
    private long _lagTicks;

    protected ConclusionQueue(string name, int capacity, int maxBatch = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(capacity));
        Name = name;
        Capacity = capacity;
        _maxBatch = maxBatch;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The sink's name in logs and metrics.</summary>
    public string Name { get; }

    public int Capacity { get; }

    /// <summary>Records refused because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records taken from the queue that the destination failed to take (full disk, I/O error, collector down).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Records waiting for the destination.</summary>
    public int Depth => _queue.Reader.Count;

    /// <summary>How far behind the destination was at its last batch: now minus the time of the batch's oldest record.</summary>
    public TimeSpan Lag => TimeSpan.FromTicks(Interlocked.Read(ref _lagTicks));

    /// <summary>Which records this sink takes; the rest are never queued.</summary>
    protected virtual bool Wants(object record) => true;

    /// <summary>Writes one batch (VigilEvent, RuleDetection or IncidentReport records, oldest first).</summary>
    protected abstract ValueTask WriteAsync(IReadOnlyList<object> batch);

    /// <summary>Counts records a batch lost to a failing destination; the drain goes on.</summary>
    protected void CountFailed(int records) => Interlocked.Add(ref _failed, records);

    /// <summary>Starts draining; call once, after the subclass is fully constructed.</summary>
    protected void StartDraining() => _drain ??= Task.Run(Drain);

    public void Event(VigilEvent e) => Enqueue(e);

    public void Detection(RuleDetection detection) => Enqueue(detection);

    public void Incident(IncidentReport incident) => Enqueue(incident);

    private void Enqueue(object record)
    {
        if (Wants(record) && !_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task Drain()
    {
        var batch = new List<object>(_maxBatch);
        ChannelReader<object> reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatch && reader.TryRead(out object? record))
            {
                batch.Add(record);
            }
            try
            {
                await WriteAsync(batch).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a sink's failure of any kind must not end its drain: the queue would fill and stay full
            catch (Exception)
#pragma warning restore CA1031
            {
                CountFailed(batch.Count);
            }
            Interlocked.Exchange(ref _lagTicks, Math.Max(0, (DateTime.UtcNow - TimeOf(batch[0])).Ticks));
            batch.Clear();
        }
    }

    private static DateTime TimeOf(object record) => record switch
    {
        VigilEvent e => e.Timestamp,
        RuleDetection d => d.Event.Timestamp,
        IncidentReport i => i.LastSeen,
        _ => DateTime.UtcNow,
    };

    /// <summary>Stops taking records and waits until everything queued has been written.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_drain is not null)
        {
            await _drain.ConfigureAwait(false);
        }
        GC.SuppressFinalize(this);
    }
}
