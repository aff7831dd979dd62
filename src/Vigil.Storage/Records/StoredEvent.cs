using System.Text.Json.Serialization;

namespace Vigil.Storage.Records;

/// <summary>An event as stored: the columns queries filter on, and the whole event as JSON.</summary>
[JsonConverter(typeof(StoredJsonConverter<StoredEvent>))]
public sealed record StoredEvent(long Id, DateTime Time, string Name, uint Pid, string ExecId, string ProcessName, string? ContainerId, string Json) : IStoredJson
{
    public string Table => "events";

    public long RowId => Id;
}
