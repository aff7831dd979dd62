using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Vigil.Agent.Pipeline;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;
using Vigil.Fleet;

namespace Vigil.Agent.Fleet;

/// <summary>
/// The fleet's sink: detections, incidents and XDP bans go to JetStream (never raw per-syscall
/// events); closed connections and UDP flows are summed into one flow summary per window
/// (<see cref="FlowDigest"/>); every other event is only counted, for the periodic aggregate.
/// Detections and bans that name a hostile source also become threat indicators for every node.
/// </summary>
public sealed class FleetSink : ConclusionQueue
{
    private readonly FleetPublisher _publisher;
    private readonly FleetSubjects _names;
    private readonly IndicatorExtractor _indicators;
    private readonly string _node;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly long[] _eventCounts = new long[Enum.GetValues<EventKind>().Length];
    private readonly Timer _aggregate;
    private readonly Timer _flowSummary;
    private readonly FlowDigest _flows = new();
    private DateTime _flowWindowStart = DateTime.UtcNow;
    private long _sequence;
    private long _detections;
    private long _incidents;
    private DateTime _windowStart = DateTime.UtcNow;

    public FleetSink(FleetPublisher publisher, FleetOptions options, IndicatorExtractor indicators, int capacity = 65536)
        : base("fleet", capacity)
    {
        _publisher = publisher;
        _names = new FleetSubjects(options.Cluster);
        _node = options.Node;
        _indicators = indicators;
        _aggregate = new Timer(_ => PublishAggregate(), null, options.AggregateInterval, options.AggregateInterval);
        _flowSummary = new Timer(_ => PublishFlows(), null, options.FlowInterval, options.FlowInterval);
        StartDraining();
    }

    /// <summary>
    /// Flows are summed here, on the pipeline's thread (a dictionary update), and never queued: the
    /// queue holds only what must reach the fleet one by one, so a burst of connections can never
    /// crowd out a detection or an incident.
    /// </summary>
    protected override bool Wants(object record)
    {
        switch (record)
        {
            case RuleDetection:
                Interlocked.Increment(ref _detections);
                return true;
            case IncidentReport:
                Interlocked.Increment(ref _incidents);
                return true;
            case VigilEvent e:
                Interlocked.Increment(ref _eventCounts[(int)e.Kind]);
                if (IsFlowSummary(e))
                {
                    _flows.Add((NetworkEvent)e);
                }
                return e is GuardBanEvent;
            default:
                return false;
        }
    }

    /// <summary>A closed connection with its byte counts, or a UDP flow summary; not connects and accepts.</summary>
    private static bool IsFlowSummary(VigilEvent e) => e is NetworkEvent { Syscall: "close" or "sendmsg" or "recvmsg" };

    protected override async ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        var messages = new List<FleetMessage>(batch.Count);
        foreach (object record in batch)
        {
            switch (record)
            {
                case RuleDetection d:
                    messages.Add(Message(FleetTopic.Detection, w => DetectionJson.Write(w, d)));
                    break;
                case IncidentReport i:
                    messages.Add(Message(FleetTopic.Incident, w => IncidentJson.Write(w, i)));
                    break;
                case GuardBanEvent:
                    break; // a ban travels as an indicator
            }
            if (_indicators.From(record, NextId) is { } indicator)
            {
                messages.Add(IndicatorFeed.Message(_names, indicator));
            }
        }
        await _publisher.PublishAsync(messages).ConfigureAwait(false);
    }

    private Task PublishFlows()
    {
        DateTime now = DateTime.UtcNow;
        DateTime start = _flowWindowStart;
        _flowWindowStart = now;
        if (!_flows.TryTake(out IReadOnlyDictionary<FlowKey, FlowTotals> flows, out FlowTotals other))
        {
            return Task.CompletedTask;
        }
        FleetMessage summary = Message(FleetTopic.Flow, w =>
        {
            w.WriteStartObject();
            w.WriteString("time", now);
            w.WriteString("event.name", "flow.summary");
            w.WriteString("vigil.node", _node);
            w.WriteNumber("vigil.window_seconds", Math.Round((now - start).TotalSeconds, 3));
            w.WriteStartArray("vigil.flows");
            FlowDigest.WriteFlows(w, flows, other);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return _publisher.PublishAsync(summary).AsTask();
    }

    private void PublishAggregate()
    {
        DateTime now = DateTime.UtcNow;
        FleetMessage aggregate = Message(FleetTopic.Aggregate, w =>
        {
            w.WriteStartObject();
            w.WriteString("time", now);
            w.WriteString("event.name", "aggregate");
            w.WriteString("vigil.node", _node);
            w.WriteNumber("vigil.window_seconds", Math.Round((now - _windowStart).TotalSeconds, 3));
            w.WriteStartObject("vigil.events");
            foreach (EventKind kind in Enum.GetValues<EventKind>())
            {
                w.WriteNumber(kind.ToString().ToLowerInvariant(), Interlocked.Exchange(ref _eventCounts[(int)kind], 0));
            }
            w.WriteEndObject();
            w.WriteNumber("vigil.detections", Interlocked.Exchange(ref _detections, 0));
            w.WriteNumber("vigil.incidents", Interlocked.Exchange(ref _incidents, 0));
            w.WriteNumber("vigil.fleet.queue_drops", Dropped);
            w.WriteNumber("vigil.fleet.spool_overflow", _publisher.Overflow);
            w.WriteEndObject();
        });
        _windowStart = now;
        _ = _publisher.PublishAsync(aggregate).AsTask();
    }

    private string NextId() => string.Create(CultureInfo.InvariantCulture, $"{_node}.{_run}.{Interlocked.Increment(ref _sequence)}");

    private FleetMessage Message(FleetTopic topic, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return new FleetMessage(_names.Subject(_node, topic), NextId(), buffer.WrittenMemory);
    }

    public override async ValueTask DisposeAsync()
    {
        await _aggregate.DisposeAsync().ConfigureAwait(false);
        await _flowSummary.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
        await PublishFlows().ConfigureAwait(false);
    }
}
