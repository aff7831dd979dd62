using System.Text.Json;
using NATS.Client.KeyValueStore;

namespace Vigil.Fleet;

/// <summary>A node as the nodes bucket shows it: its last heartbeat and whether it is overdue.</summary>
public sealed record FleetNode(NodeHeartbeat Heartbeat, DateTime LastSeen, bool Stale);

/// <summary>
/// The fleet's nodes read from the heartbeat bucket; `vigil fleet status` and the local API use it.
/// A node is stale when its last heartbeat is older than three of its own heartbeat intervals.
/// </summary>
public sealed class FleetStatus(NatsKVContext keyValue, FleetSubjects names)
{
    public async Task<IReadOnlyList<FleetNode>> NodesAsync(CancellationToken cancel = default)
    {
        INatsKVStore bucket = await keyValue.GetStoreAsync(names.NodesBucket, cancel).ConfigureAwait(false);
        var nodes = new List<FleetNode>();
        DateTime now = DateTime.UtcNow;
        await foreach (string key in bucket.GetKeysAsync(cancellationToken: cancel).ConfigureAwait(false))
        {
            NatsKVEntry<byte[]> entry = await bucket.GetEntryAsync<byte[]>(key, cancellationToken: cancel).ConfigureAwait(false);
            if (entry.Value is null || JsonSerializer.Deserialize(entry.Value, FleetJson.Default.NodeHeartbeat) is not { } beat)
            {
                continue;
            }
            DateTime seen = entry.Created.UtcDateTime;
            nodes.Add(new FleetNode(beat, seen, (now - seen).TotalSeconds > 3 * beat.IntervalSeconds));
        }
        return [.. nodes.OrderBy(n => n.Heartbeat.Node, StringComparer.Ordinal)];
    }
}
