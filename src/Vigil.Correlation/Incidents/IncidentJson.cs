using System.Text.Json;
using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

/// <summary>An incident revision as one JSON object: verdict, root cause, chain, timeline, what is missing.</summary>
public static class IncidentJson
{
    public static void Write(Utf8JsonWriter w, IncidentReport incident)
    {
        w.WriteStartObject();
        w.WriteString("time", incident.LastSeen);
        w.WriteString("event.name", "incident");
        w.WriteString("vigil.incident.id", incident.Id);
        w.WriteNumber("vigil.incident.revision", incident.Revision);
        w.WriteString("vigil.incident.status", incident.Status.ToString().ToLowerInvariant());
        w.WriteString("vigil.incident.title", incident.Title);
        w.WriteNumber("vigil.incident.confidence", incident.Confidence);
        w.WriteString("vigil.incident.first_seen", incident.FirstSeen);
        w.WritePropertyName("vigil.incident.root_cause");
        WriteSignal(w, incident.RootCause, incident.Steps);
        w.WriteStartArray("vigil.incident.chain");
        foreach (CausalEdge edge in incident.Chain)
        {
            w.WriteStartObject();
            w.WriteNumber("from", edge.From);
            w.WriteNumber("to", edge.To);
            w.WriteString("reason", edge.Reason.ToString());
            w.WriteNumber("strength", Math.Round(edge.Strength, 3));
            w.WriteString("detail", edge.Detail);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("vigil.incident.timeline");
        foreach (Signal s in incident.Timeline)
        {
            WriteSignal(w, s, incident.Steps);
        }
        w.WriteEndArray();
        w.WriteStartArray("vigil.incident.missing");
        foreach (string missing in incident.Missing)
        {
            w.WriteStringValue(missing);
        }
        w.WriteEndArray();
        if (incident.EvidenceDropped > 0)
        {
            w.WriteNumber("vigil.incident.evidence_dropped", incident.EvidenceDropped);
        }
        if (incident.FindingsOmitted.Count > 0)
        {
            w.WriteStartObject("vigil.incident.findings_omitted");
            foreach ((string name, long omitted) in incident.FindingsOmitted.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(name, omitted);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteSignal(Utf8JsonWriter w, Signal s, IReadOnlyDictionary<long, string> steps)
    {
        w.WriteStartObject();
        w.WriteNumber("id", s.Id);
        w.WriteString("time", s.Time);
        w.WriteString("kind", s.Kind.ToString().ToLowerInvariant());
        w.WriteString("name", s.Name);
        if (steps.TryGetValue(s.Id, out string? step))
        {
            w.WriteString("vigil.sequence.step", step);
        }
        if (s.Description.Length > 0)
        {
            w.WriteString("description", s.Description);
        }
        if (s.Event is { } e)
        {
            w.WriteNumber("process.pid", e.Process.Pid);
            w.WriteString("vigil.exec_id", e.Process.ExecId.ToString());
        }
        if (s.Entities.Binary.Length > 0)
        {
            w.WriteString("process.executable.path", s.Entities.Binary);
        }
        w.WriteEndObject();
    }
}
