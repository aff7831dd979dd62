using System.Text.Json;
using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>A detection as one JSON object: the rule's verdict, then the triggering event in full (docs/events.md).</summary>
public static class DetectionJson
{
    public static void Write(Utf8JsonWriter w, RuleDetection d)
    {
        w.WriteStartObject();
        w.WriteString("time", d.Event.Timestamp);
        w.WriteString("event.name", "detection");
        w.WriteString("rule.name", d.RuleName);
        w.WriteString("vigil.rule.priority", d.Priority.ToString().ToUpperInvariant());
        w.WriteString("vigil.rule.output", d.Output);
        w.WriteStartArray("vigil.rule.tags");
        foreach (string tag in d.Tags)
        {
            w.WriteStringValue(tag);
        }
        w.WriteEndArray();
        w.WriteStartObject("vigil.rule.fields");
        foreach ((string field, string value) in d.Fields)
        {
            w.WriteString(field, value);
        }
        w.WriteEndObject();
        w.WritePropertyName("vigil.event");
        EventJson.Write(w, d.Event);
        w.WriteEndObject();
    }
}
