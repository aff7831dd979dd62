using System.Text.Json.Serialization;
using Vigil.Detection.Rules;

namespace Vigil.Storage.Records;

/// <summary>A detection as stored, with its JSON (the rule's verdict and the triggering event).</summary>
[JsonConverter(typeof(StoredJsonConverter<StoredDetection>))]
public sealed record StoredDetection(long Id, DateTime Time, string Rule, RulePriority Priority, uint Pid, string ExecId, string ProcessName, string? ContainerId, string Json) : IStoredJson
{
    public string Table => "detections";

    public long RowId => Id;
}
