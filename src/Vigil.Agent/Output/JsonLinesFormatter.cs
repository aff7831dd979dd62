using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>One JSON object per line (schema in docs/events.md).</summary>
public sealed class JsonLinesFormatter : IRecordFormatter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public JsonLinesFormatter()
    {
        // Relaxed escaping keeps shell command lines readable ('>' stays '>'); output is never embedded in HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Write(TextWriter target, VigilEvent e) => target.WriteLine(Encoding.UTF8.GetString(Utf8(e).Span));

    public void Write(TextWriter target, RuleDetection detection) => target.WriteLine(Encoding.UTF8.GetString(Utf8(detection).Span));

    public void Write(TextWriter target, IncidentReport incident) => target.WriteLine(Encoding.UTF8.GetString(Utf8(incident).Span));

    /// <summary>The record as UTF-8 JSON without the line end; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Utf8(object record)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        switch (record)
        {
            case VigilEvent e:
                EventJson.Write(_json, e);
                break;
            case RuleDetection d:
                DetectionJson.Write(_json, d);
                break;
            case IncidentReport i:
                IncidentJson.Write(_json, i);
                break;
            default:
                throw new ArgumentException($"{record.GetType().Name} is not an event, detection or incident", nameof(record));
        }
        _json.Flush();
        return _buffer.WrittenMemory;
    }
}
