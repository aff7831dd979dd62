using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Storage.Records;

/// <summary>A stored record that serialises as the JSON object it was stored with (docs/events.md attribute names).</summary>
public interface IStoredJson
{
    /// <summary>Table the record came from, for error messages.</summary>
    string Table { get; }

    long RowId { get; }

    string Json { get; }
}

/// <summary>Writes a stored record's JSON verbatim; stored records are read from the store, never from JSON.</summary>
public sealed class StoredJsonConverter<T> : JsonConverter<T>
    where T : IStoredJson
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException($"{typeof(T).Name} is read from the store, not from JSON");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        try
        {
            writer.WriteRawValue(value.Json);
        }
        catch (JsonException ex)
        {
            throw StoredJson.Corrupt(value, ex);
        }
    }
}

public static class StoredJson
{
    /// <summary>Parses a stored record's JSON; a corrupt record is named by table and row.</summary>
    public static JsonDocument Parse(IStoredJson record)
    {
        try
        {
            return JsonDocument.Parse(record.Json);
        }
        catch (JsonException ex)
        {
            throw Corrupt(record, ex);
        }
    }

    internal static StoreException Corrupt(IStoredJson record, Exception inner) =>
        new($"corrupt record: {record.Table} row {record.RowId} holds invalid JSON ({inner.Message})", inner);
}
