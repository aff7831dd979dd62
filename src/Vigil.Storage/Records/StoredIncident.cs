using System.Text.Json.Serialization;

namespace Vigil.Storage.Records;

/// <summary>The latest stored revision of an incident, with its JSON (root cause, chain, timeline, what is missing).</summary>
[JsonConverter(typeof(StoredJsonConverter<StoredIncident>))]
public sealed record StoredIncident(long RowId, string Id, int Revision, string Status, string Title, DateTime FirstSeen, DateTime LastSeen, double Confidence, string Json) : IStoredJson
{
    public string Table => "incidents";
}
