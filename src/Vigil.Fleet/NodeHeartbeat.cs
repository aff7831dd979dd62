using System.Text.Json.Serialization;

namespace Vigil.Fleet;

/// <summary>One node's state as it writes it to the nodes bucket (key: the node name) every heartbeat.</summary>
public sealed record NodeHeartbeat
{
    [JsonPropertyName("node")]
    public required string Node { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>ok, or degraded when a sensor failed or the guard could not be adopted.</summary>
    [JsonPropertyName("health")]
    public required string Health { get; init; }

    [JsonPropertyName("started")]
    public required DateTime Started { get; init; }

    [JsonPropertyName("at")]
    public required DateTime At { get; init; }

    /// <summary>How often this node writes; it is stale after three intervals without a heartbeat.</summary>
    [JsonPropertyName("interval_seconds")]
    public required double IntervalSeconds { get; init; }

    /// <summary>Sensor name -> running, failed: reason, ...</summary>
    [JsonPropertyName("sensors")]
    public required IReadOnlyDictionary<string, string> Sensors { get; init; }

    /// <summary>Drop counters by stage (kernel, evaluation, correlation, each sink, fleet spool overflow).</summary>
    [JsonPropertyName("drops")]
    public required IReadOnlyDictionary<string, long> Drops { get; init; }

    /// <summary>The rule revision from the rules bucket in force, 0 for none.</summary>
    [JsonPropertyName("rules_revision")]
    public ulong RulesRevision { get; init; }

    /// <summary>The latest rule revision this node rejected (a later accepted one clears it), 0 for none.</summary>
    [JsonPropertyName("rules_rejected")]
    public ulong RulesRejected { get; init; }

    /// <summary>The policy revision from the policies bucket in force, 0 for none.</summary>
    [JsonPropertyName("policies_revision")]
    public ulong PoliciesRevision { get; init; }

    /// <summary>The latest policy revision this node rejected (a later accepted one clears it), 0 for none.</summary>
    [JsonPropertyName("policies_rejected")]
    public ulong PoliciesRejected { get; init; }
}
