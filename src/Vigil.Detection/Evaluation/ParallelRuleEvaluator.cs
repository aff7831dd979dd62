using System.Buffers;
using System.Threading.Channels;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Detection.Evaluation;

/// <summary>
/// Evaluates a stream of events on several cores while keeping each process's events in order:
/// events are partitioned by pid into single-threaded workers, each behind its own bounded channel
/// of batches. A full channel makes posting wait, so a slow worker pushes back instead of growing memory.
/// Posting whole batches (as a ring-buffer reader drains them) keeps the hand-off cost per event small.
/// </summary>
public sealed class ParallelRuleEvaluator : IAsyncDisposable
{
    private RuleSet _rules;
    private readonly Action<RuleDetection> _onDetection;
    private readonly Action<VigilEvent, List<RuleDetection>>? _onEvaluated;
    private readonly Channel<Batch>[] _queues;
    private readonly long[] _evaluated;
    private readonly Task[] _workers;
    private readonly int[] _counts;
    private long _posted;

    /// <param name="onDetection">Called on the worker threads; must be thread-safe.</param>
    /// <param name="queueCapacity">Batches each worker may have waiting before posting waits.</param>
    /// <param name="onEvaluated">Called on the worker threads after each event with its detections (often none), in
    /// per-process order: for stages that need every event next to its detections. The list is reused afterwards.</param>
    public ParallelRuleEvaluator(RuleSet rules, int workers, Action<RuleDetection> onDetection, int queueCapacity = 256,
        Action<VigilEvent, List<RuleDetection>>? onEvaluated = null)
    {
        _onEvaluated = onEvaluated;
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _rules = rules;
        _onDetection = onDetection;
        _evaluated = new long[workers];
        _counts = new int[workers];
        _queues = new Channel<Batch>[workers];
        _workers = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            _queues[i] = Channel.CreateBounded<Batch>(new BoundedChannelOptions(queueCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            int worker = i;
            _workers[i] = Task.Factory.StartNew(() => Run(worker), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    public long Evaluated
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _evaluated.Length; i++)
            {
                total += Volatile.Read(ref _evaluated[i]);
            }
            return total;
        }
    }

    /// <summary>The rule set in force.</summary>
    public RuleSet Rules => Volatile.Read(ref _rules);

    /// <summary>
    /// Swaps in another rule set at once: every batch is judged wholly by one set or the other. The
    /// new set must share the old one's environment (its trackers keep what they learned).
    /// </summary>
    public void ReplaceRules(RuleSet rules)
    {
        if (!ReferenceEquals(rules.Environment, Rules.Environment))
        {
            throw new ArgumentException("a replacement rule set must be loaded with the environment in force", nameof(rules));
        }
        Volatile.Write(ref _rules, rules);
    }

    /// <summary>Queues one event. Call from one producer thread: event numbers follow posting order.</summary>
    public ValueTask PostAsync(VigilEvent e, CancellationToken cancellationToken = default) =>
        PostBatchAsync([e], cancellationToken);

    /// <summary>
    /// Queues one event without waiting; false when its worker's queue is full, so a producer that must
    /// never block (the ring-buffer reader) can count the drop instead. Safe from several producer threads
    /// (the ring reader and agent-made events), unlike the batch posts.
    /// </summary>
    public bool TryPost(VigilEvent e)
    {
        (VigilEvent, long)[] items = ArrayPool<(VigilEvent, long)>.Shared.Rent(1);
        items[0] = (e, Interlocked.Increment(ref _posted));
        if (!_queues[WorkerOf(e)].Writer.TryWrite(new Batch(items, 1)))
        {
            ArrayPool<(VigilEvent, long)>.Shared.Return(items, clearArray: true);
            return false;
        }
        return true;
    }

    /// <summary>Queues events in order, split by pid across the workers. One producer thread only.</summary>
    public async ValueTask PostBatchAsync(IReadOnlyList<VigilEvent> events, CancellationToken cancellationToken = default)
    {
        Array.Clear(_counts);
        for (int i = 0; i < events.Count; i++)
        {
            _counts[WorkerOf(events[i])]++;
        }
        var batches = new Batch[_queues.Length];
        for (int w = 0; w < batches.Length; w++)
        {
            batches[w] = new Batch(_counts[w] == 0 ? [] : ArrayPool<(VigilEvent, long)>.Shared.Rent(_counts[w]), 0);
        }
        for (int i = 0; i < events.Count; i++)
        {
            int w = WorkerOf(events[i]);
            batches[w].Items[batches[w].Count] = (events[i], ++_posted);
            batches[w] = batches[w] with { Count = batches[w].Count + 1 };
        }
        for (int w = 0; w < batches.Length; w++)
        {
            if (batches[w].Count > 0)
            {
                await _queues[w].Writer.WriteAsync(batches[w], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops accepting events and waits until every queued event has been evaluated.</summary>
    public async Task CompleteAsync()
    {
        foreach (Channel<Batch> queue in _queues)
        {
            queue.Writer.TryComplete();
        }
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private int WorkerOf(VigilEvent e) => (int)(e.Process.Pid % (uint)_queues.Length);

    private void Run(int worker)
    {
        var context = new EventContext(_rules.Environment);
        var detections = new List<RuleDetection>();
        ChannelReader<Batch> reader = _queues[worker].Reader;
        // A dedicated thread blocks while its queue is empty; it never competes for the thread pool.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out Batch batch))
            {
                RuleSet rules = Rules;
                for (int i = 0; i < batch.Count; i++)
                {
                    (VigilEvent e, long number) = batch.Items[i];
                    context.Reset(e, number);
                    rules.Evaluate(context, detections);
                    foreach (RuleDetection detection in detections)
                    {
                        _onDetection(detection);
                    }
                    _onEvaluated?.Invoke(e, detections);
                    detections.Clear();
                }
                ArrayPool<(VigilEvent, long)>.Shared.Return(batch.Items, clearArray: true);
                Volatile.Write(ref _evaluated[worker], _evaluated[worker] + batch.Count);
            }
        }
    }

    /// <summary>A pooled array of numbered events for one worker, with how many slots are used.</summary>
    private readonly record struct Batch((VigilEvent Event, long Number)[] Items, int Count);
}
