using System.Threading.Channels;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Detection.Evaluation;

/// <summary>
/// Evaluates a stream of events on several cores while keeping each process's events in order:
/// events are partitioned by pid into single-threaded workers, each behind its own bounded channel.
/// A full channel makes <see cref="PostAsync"/> wait, so a slow worker pushes back instead of growing memory.
/// </summary>
public sealed class ParallelRuleEvaluator : IAsyncDisposable
{
    private readonly RuleSet _rules;
    private readonly Action<RuleDetection> _onDetection;
    private readonly Channel<(VigilEvent Event, long Number)>[] _queues;
    private readonly long[] _evaluated;
    private readonly Task[] _workers;
    private long _posted;

    /// <param name="onDetection">Called on the worker thread; must be thread-safe across workers.</param>
    public ParallelRuleEvaluator(RuleSet rules, int workers, Action<RuleDetection> onDetection, int queueCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _rules = rules;
        _onDetection = onDetection;
        _evaluated = new long[workers];
        _queues = new Channel<(VigilEvent, long)>[workers];
        _workers = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            _queues[i] = Channel.CreateBounded<(VigilEvent, long)>(new BoundedChannelOptions(queueCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            int worker = i;
            _workers[i] = Task.Factory.StartNew(() => Run(worker), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    public int WorkerCount => _queues.Length;

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

    /// <summary>Queues an event for its pid's worker. Call from one producer thread: event numbers follow call order.</summary>
    public ValueTask PostAsync(VigilEvent e, CancellationToken cancellationToken = default)
    {
        long number = ++_posted;
        return _queues[(int)(e.Process.Pid % (uint)_queues.Length)].Writer.WriteAsync((e, number), cancellationToken);
    }

    /// <summary>Stops accepting events and waits until every queued event has been evaluated.</summary>
    public async Task CompleteAsync()
    {
        foreach (Channel<(VigilEvent, long)> queue in _queues)
        {
            queue.Writer.TryComplete();
        }
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private void Run(int worker)
    {
        var context = new EventContext(_rules.Environment);
        var detections = new List<RuleDetection>();
        ChannelReader<(VigilEvent Event, long Number)> reader = _queues[worker].Reader;
        // A dedicated thread blocks while its queue is empty; it never shares the pool with the producer.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out (VigilEvent Event, long Number) item))
            {
                context.Reset(item.Event, item.Number);
                _rules.Evaluate(context, detections);
                foreach (RuleDetection detection in detections)
                {
                    _onDetection(detection);
                }
                detections.Clear();
                Volatile.Write(ref _evaluated[worker], _evaluated[worker] + 1);
            }
        }
    }
}
