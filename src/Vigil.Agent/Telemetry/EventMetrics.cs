using System.Collections.Concurrent;
using Prometheus;
using Vigil.Agent.Pipeline;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Telemetry;

/// <summary>
/// Counts what flows out of the pipeline: events by sensor and type, detections by priority,
/// incident revisions. On the reader thread, so nothing is allocated per event: each (kind, syscall)
/// pair finds its counter in a dictionary after its first event.
/// </summary>
public sealed class EventMetrics : IConclusionSink
{
    private static readonly Counter Events = Metrics.CreateCounter("vigil_events_total", "Events decoded and enriched, by sensor and event name", "sensor", "type");
    private static readonly Counter Detections = Metrics.CreateCounter("vigil_detections_total", "Rule detections, by priority", "priority");
    private static readonly Counter Incidents = Metrics.CreateCounter("vigil_incident_revisions_total", "Incident revisions published (a new incident or a change to one)");

    /// <summary>Every metric above, for the OTLP mirror.</summary>
    public static IReadOnlyList<Collector> Collectors { get; } = [Events, Detections, Incidents];

    private readonly ConcurrentDictionary<(EventKind Kind, string Syscall), Counter.Child> _events = new();

    public void Event(VigilEvent e)
    {
        string syscall = e switch
        {
            FileEvent file => file.Syscall,
            NetworkEvent net => net.Syscall,
            PrivilegeEvent priv => priv.Syscall,
            _ => "",
        };
        if (!_events.TryGetValue((e.Kind, syscall), out Counter.Child? counter))
        {
            counter = _events.GetOrAdd((e.Kind, syscall), Events.WithLabels(SensorOf(e.Kind), EventJson.Name(e)));
        }
        counter.Inc();
    }

    public void Detection(RuleDetection detection) => Detections.WithLabels(detection.Priority.ToString().ToLowerInvariant()).Inc();

    public void Incident(IncidentReport incident) => Incidents.Inc();

    /// <summary>The sensor that produces each kind of event.</summary>
    private static string SensorOf(EventKind kind) => kind switch
    {
        EventKind.Exec or EventKind.Fork or EventKind.Exit => "process",
        EventKind.Guard => "xdp",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
