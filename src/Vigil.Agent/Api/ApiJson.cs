using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vigil.Events;

namespace Vigil.Agent.Api;

/// <summary>
/// Events, detections and incidents leave the API in the same JSON as every other output
/// (docs/events.md, docs/correlation.md), written by the same writers.
/// </summary>
public static class ApiJson
{
    public static string Event(VigilEvent e) => Text(w => EventJson.Write(w, e));

    /// <summary>A response whose body is written straight from a <see cref="Utf8JsonWriter"/>.</summary>
    public static IResult Body(Action<Utf8JsonWriter> write) => Results.Bytes(Bytes(write), "application/json");

    /// <summary>A JSON array of records already in their JSON form.</summary>
    public static IResult Records(IEnumerable<JsonRecord> records) => Body(w => Array(w, records, Raw));

    public static void Raw(Utf8JsonWriter w, JsonRecord record) => w.WriteRawValue(record.Json, skipInputValidation: true);

    public static void Array<T>(Utf8JsonWriter w, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartArray();
        foreach (T item in items)
        {
            write(w, item);
        }
        w.WriteEndArray();
    }

    public static string Text(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(Bytes(write));

    private static byte[] Bytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
