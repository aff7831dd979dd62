using System.Text.Json.Serialization;

namespace Vigil.Storage.Records;

/// <summary>
/// Traffic of one process to or from one remote endpoint, summed over its connections, as the store
/// keeps it (the network sensor's live per-socket totals, with packets, are its FlowSummary).
/// </summary>
public sealed record StoredFlow(
    [property: JsonPropertyName("vigil.exec_id")] string ExecId,
    [property: JsonPropertyName("process.pid")] uint Pid,
    [property: JsonPropertyName("process.name")] string ProcessName,
    [property: JsonPropertyName("container.id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContainerId,
    [property: JsonPropertyName("network.transport")] string Transport,
    [property: JsonPropertyName("network.io.direction")] string Direction,
    [property: JsonPropertyName("network.peer.address")] string RemoteAddress,
    [property: JsonPropertyName("network.peer.port")] int RemotePort,
    [property: JsonPropertyName("vigil.flow.connections")] long Connections,
    [property: JsonPropertyName("vigil.network.bytes_sent")] long BytesSent,
    [property: JsonPropertyName("vigil.network.bytes_received")] long BytesReceived,
    [property: JsonPropertyName("vigil.flow.first_seen")] DateTime FirstSeen,
    [property: JsonPropertyName("vigil.flow.last_seen")] DateTime LastSeen)
{
    [JsonIgnore]
    public long Bytes => BytesSent + BytesReceived;
}
