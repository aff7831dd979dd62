using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Vigil.Agent.Host;
using Vigil.Agent.Pipeline;
using Vigil.Detection.Rules;
using Vigil.Sensors;

namespace Vigil.Agent.Api;

/// <summary>
/// GET /api/health, the one route without a token (liveness and readiness probes use it):
/// sensors, drops by stage, sink queues, the process cache and the XDP guard, never any event data.
/// </summary>
public static class HealthRoutes
{
    public static void Map(IEndpointRouteBuilder app, NodeAgent agent, IReadOnlyList<IConclusionSink> sinks, EventStream stream, DateTime started)
    {
        app.MapGet("/api/health", () => ApiJson.Body(w => Write(w, agent, sinks, stream, started)));
    }

    private static void Write(Utf8JsonWriter w, NodeAgent agent, IReadOnlyList<IConclusionSink> sinks, EventStream stream, DateTime started)
    {
        List<ConclusionQueue> queues = [.. sinks.OfType<ConclusionQueue>()];
        bool degraded = agent.Sensors.Any(s => s.Status.State != SensorState.Running);
        w.WriteStartObject();
        w.WriteString("status", degraded ? "degraded" : "ok");
        w.WriteString("version", typeof(HealthRoutes).Assembly.GetName().Version?.ToString(3));
        w.WriteString("hostname", Environment.MachineName);
        w.WriteString("started", started);
        w.WriteNumber("uptime_seconds", Math.Round((DateTime.UtcNow - started).TotalSeconds));
        w.WriteStartArray("sensors");
        foreach (Sensor sensor in agent.Sensors)
        {
            w.WriteStartObject();
            w.WriteString("name", sensor.Name);
            w.WriteString("state", sensor.Status.State.ToString().ToLowerInvariant());
            if (sensor.Status.Reason is { } reason)
            {
                w.WriteString("reason", reason);
            }
            w.WriteNumber("kernel_drops", sensor.KernelDrops);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("drops");
        Stage(w, "kernel ring buffer (reserve failures)", (long)agent.KernelDrops);
        Stage(w, "rule evaluation queue", agent.Analysis.EvaluationDrops);
        Stage(w, "correlation queue", agent.Analysis.CorrelationDrops);
        foreach (ConclusionQueue queue in queues)
        {
            Stage(w, $"sink {queue.Name}", queue.Dropped);
        }
        Stage(w, "live stream subscribers", stream.SubscriberDrops);
        Stage(w, "process cache evictions", agent.Processes.Evictions);
        w.WriteEndArray();
        w.WriteStartArray("sinks");
        foreach (ConclusionQueue queue in queues)
        {
            w.WriteStartObject();
            w.WriteString("name", queue.Name);
            w.WriteNumber("depth", queue.Depth);
            w.WriteNumber("capacity", queue.Capacity);
            w.WriteNumber("dropped", queue.Dropped);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("processes");
        w.WriteNumber("cached", agent.Processes.Count);
        w.WriteNumber("capacity", agent.Processes.Capacity);
        w.WriteEndObject();
        w.WriteNumber("rules_active", agent.Rules.Count(RuleState.Active));
        w.WriteNumber("sequences", agent.Sequences.Count);
        w.WriteNumber("events_evaluated", agent.Analysis.Evaluated);
        w.WriteNumber("stream_subscribers", stream.Subscribers);
        w.WriteBoolean("xdp_mitigation", agent.Mitigation is not null);
        w.WriteEndObject();
    }

    private static void Stage(Utf8JsonWriter w, string stage, long count)
    {
        w.WriteStartObject();
        w.WriteString("stage", stage);
        w.WriteNumber("count", count);
        w.WriteEndObject();
    }
}
