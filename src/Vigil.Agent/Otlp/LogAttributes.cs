using System.Buffers;
using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Otlp;

/// <summary>
/// One record as an OpenTelemetry log record: its attributes are the names of its JSON form
/// (docs/events.md), so OTLP and the JSON output never disagree on a name. A detection's triggering
/// event is flattened to the top level (<c>process.pid</c>, <c>file.path</c>, ...); other nested
/// objects keep their path (<c>vigil.rule.fields.fd.name</c>); arrays of objects travel as JSON text.
/// </summary>
public sealed class LogAttributes : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _attributes = [];

    private LogAttributes(DateTime time, LogLevel level, string body)
    {
        Time = time;
        Level = level;
        Body = body;
    }

    /// <summary>When the kernel saw the event (the log record's timestamp).</summary>
    public DateTime Time { get; }

    public LogLevel Level { get; }

    /// <summary>The log body: a detection's rule output, an incident's title, an event's name.</summary>
    public string Body { get; }

    public int Count => _attributes.Count;

    public KeyValuePair<string, object?> this[int index] => _attributes[index];

    public static LogAttributes Of(object record)
    {
        LogAttributes attributes = record switch
        {
            RuleDetection d => From(d.Event.Timestamp, LevelOf(d.Priority), d.Output, w => DetectionJson.Write(w, d)),
            // An incident is detections tied into one causal chain: above any of them alone.
            IncidentReport i => From(i.LastSeen, LogLevel.Error, i.Title, w => IncidentJson.Write(w, i)),
            VigilEvent e => From(e.Timestamp, LogLevel.Information, EventJson.Name(e), w => EventJson.Write(w, e)),
            _ => throw new ArgumentException($"not a record: {record.GetType()}", nameof(record)),
        };
        if (((record as RuleDetection)?.Event ?? record as VigilEvent)?.Context is { Binary.Length: > 0 } process)
        {
            // Only exec events carry the image in JSON; every other event's process is known to enrichment.
            attributes.AddMissing("process.executable.path", process.Binary);
            attributes.AddMissing("process.command_line", process.CommandLine);
        }
        return attributes;
    }

    /// <summary>Falco's eight priorities on ILogger's levels, which the exporter maps to OTLP severity numbers.</summary>
    public static LogLevel LevelOf(RulePriority priority) => priority switch
    {
        RulePriority.Emergency or RulePriority.Alert or RulePriority.Critical => LogLevel.Critical,
        RulePriority.Error => LogLevel.Error,
        RulePriority.Warning => LogLevel.Warning,
        RulePriority.Notice or RulePriority.Informational => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    private static LogAttributes From(DateTime time, LogLevel level, string body, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        var attributes = new LogAttributes(time, level, body);
        attributes.AddObject("", document.RootElement);
        return attributes;
    }

    private void AddMissing(string name, string value)
    {
        if (!_attributes.Exists(a => a.Key == name))
        {
            _attributes.Add(new(name, value));
        }
    }

    private void AddObject(string prefix, JsonElement obj)
    {
        foreach (JsonProperty p in obj.EnumerateObject())
        {
            switch (p.Name)
            {
                case "time" or "vigil.rule.output":
                    continue; // the record's timestamp and body
                case "vigil.event":
                    AddObject("", p.Value); // the triggering event's own attributes, at the top
                    continue;
            }
            string name = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            if (prefix.Length == 0 && p.Name == "event.name" && _attributes.Exists(a => a.Key == name))
            {
                name = "vigil.event.name"; // a detection's event.name is "detection"; its event's name goes here
            }
            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                AddObject(name, p.Value);
            }
            else
            {
                _attributes.Add(new(name, Value(p.Value)));
            }
        }
    }

    private static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out long l) ? l : (object)value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(v => v.GetString()!).ToArray(),
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _)) => value.EnumerateArray().Select(v => v.GetInt64()).ToArray(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _attributes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Body;
}
