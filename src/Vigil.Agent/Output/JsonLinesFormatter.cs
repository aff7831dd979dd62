using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>One JSON object per line (schema in docs/events.md).</summary>
public sealed class JsonLinesFormatter : IEventFormatter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public JsonLinesFormatter()
    {
        // Relaxed escaping keeps shell command lines readable ('>' stays '>'); output is never embedded in HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Write(TextWriter target, VigilEvent e)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        EventJson.Write(_json, e);
        _json.Flush();
        target.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
    }
}
