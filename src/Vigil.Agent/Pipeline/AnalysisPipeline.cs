using System.Threading.Channels;
using Vigil.Correlation;
using Vigil.Correlation.Baselines;
using Vigil.Correlation.Sequences;
using Vigil.Correlation.Signals;
using Vigil.Detection.Evaluation;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Pipeline;

/// <summary>
/// Everything after enrichment: events go to the output and to rule evaluation (several threads,
/// per-process order kept); each evaluated event and its detections go, in that order, to one
/// correlation thread that puts them back in event-time order across sensors (a short reorder window)
/// and runs the baselines and the correlator. Every hand-off is a bounded queue
/// that never blocks the ring-buffer reader: what does not fit is dropped and counted.
/// </summary>
public sealed class AnalysisPipeline : IEventSink, IAsyncDisposable
{
    private readonly IConclusionSink _conclusions;
    private readonly ParallelRuleEvaluator _evaluator;
    private readonly Channel<Item> _correlation;
    private readonly Correlator _correlator;
    private readonly BaselineTracker _baselines;
    private readonly Func<ulong> _kernelDrops;
    private readonly Task _correlationThread;
    private readonly Timer _tick;
    private readonly ReorderBuffer<Item> _reorder;
    private ulong _lastKernelDrops;
    private long _evaluationDrops;
    private long _correlationDrops;

    public AnalysisPipeline(RuleSet rules, IReadOnlyList<SequenceRule> sequences, AnalysisOptions options, IConclusionSink conclusions, Func<ulong> kernelDrops)
    {
        _conclusions = conclusions;
        _kernelDrops = kernelDrops;
        _correlator = new Correlator(options.Correlation, sequences);
        _correlator.IncidentUpdated += conclusions.Incident;
        _baselines = new BaselineTracker(options.Baselines, _correlator.NextSignalId);
        _reorder = new ReorderBuffer<Item>(options.ReorderWindow);
        _correlation = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _evaluator = new ParallelRuleEvaluator(rules, options.Workers, conclusions.Detection, options.QueueCapacity, OnEvaluated);
        _correlationThread = Task.Factory.StartNew(Correlate, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _tick = new Timer(_ => _correlation.Writer.TryWrite(Item.Tick), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public long EvaluationDrops => Interlocked.Read(ref _evaluationDrops);

    public long CorrelationDrops => Interlocked.Read(ref _correlationDrops);

    public long Evaluated => _evaluator.Evaluated;

    /// <summary>The detection rules in force.</summary>
    public RuleSet Rules => _evaluator.Rules;

    /// <summary>Swaps the detection rules atomically (a validated revision from the fleet's rules bucket).</summary>
    public void ReplaceRules(RuleSet rules) => _evaluator.ReplaceRules(rules);

    /// <summary>Called on the ring-buffer reader thread.</summary>
    public void Publish(VigilEvent e)
    {
        _conclusions.Event(e);
        if (!_evaluator.TryPost(e))
        {
            Interlocked.Increment(ref _evaluationDrops);
        }
    }

    /// <summary>A detection made outside the rule engine (a fleet indicator matched): to the sinks like a rule's.</summary>
    public void PublishDetection(RuleDetection detection) => _conclusions.Detection(detection);

    /// <summary>On an evaluation thread: the event with its detections (the list is reused, so copied when not empty).</summary>
    private void OnEvaluated(VigilEvent e, List<RuleDetection> detections)
    {
        if (!_correlation.Writer.TryWrite(new Item(e, detections.Count == 0 ? [] : [.. detections])))
        {
            Interlocked.Increment(ref _correlationDrops);
        }
    }

    private void Correlate()
    {
        ChannelReader<Item> reader = _correlation.Reader;
        bool open = true;
        while (open || _reorder.Count > 0)
        {
            while (reader.TryRead(out Item item))
            {
                if (item.Event is null)
                {
                    Housekeeping();
                    continue;
                }
                _reorder.Add(item, item.Event.Timestamp, DateTime.UtcNow);
            }
            DateTime now = DateTime.UtcNow;
            while (_reorder.TryTake(now, out Item due, all: !open))
            {
                Analyse(due);
            }
            if (open)
            {
                open = WaitForItems(reader, _reorder.UntilDue(now));
            }
        }
    }

    /// <summary>Waits for queued items, or until the oldest held one is due; false once the queue is completed and empty.</summary>
    private static bool WaitForItems(ChannelReader<Item> reader, TimeSpan? until)
    {
        if (until is not { } wait)
        {
            return reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
        }
        if (wait <= TimeSpan.Zero)
        {
            return true;
        }
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    private void Analyse(Item item)
    {
        foreach (Signal anomaly in _baselines.Observe(item.Event!))
        {
            _correlator.Observe(anomaly);
        }
        if (item.Detections.Length == 0)
        {
            _correlator.ObserveEvent(item.Event!);
        }
        foreach (RuleDetection d in item.Detections)
        {
            _correlator.Observe(SignalFactory.FromDetection(_correlator.NextSignalId(), d.RuleName, d.Priority.ToString(), d.Output, d.Tags, d.Event));
        }
    }

    private void Housekeeping()
    {
        DateTime now = DateTime.UtcNow;
        ulong drops = _kernelDrops();
        _correlator.ReportDrops(now, drops - _lastKernelDrops);
        _lastKernelDrops = drops;
        _correlator.CloseIdle(now);
    }

    public async ValueTask DisposeAsync()
    {
        await _tick.DisposeAsync().ConfigureAwait(false);
        await _evaluator.CompleteAsync().ConfigureAwait(false);
        _correlation.Writer.TryComplete();
        await _correlationThread.ConfigureAwait(false);
    }

    /// <summary>An evaluated event with its detections; no event means "housekeeping time".</summary>
    private readonly record struct Item(VigilEvent? Event, RuleDetection[] Detections)
    {
        public static Item Tick => new(null, []);
    }
}
