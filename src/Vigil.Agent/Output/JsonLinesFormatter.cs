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

    public void Write(TextWriter target, VigilEvent e) => Line(target, w => EventJson.Write(w, e));

    public void Write(TextWriter target, RuleDetection detection) => Line(target, w => DetectionJson.Write(w, detection));

    public void Write(TextWriter target, IncidentReport incident) => Line(target, w => IncidentJson.Write(w, incident));

    private void Line(TextWriter target, Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        write(_json);
        _json.Flush();
        target.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
    }
}
