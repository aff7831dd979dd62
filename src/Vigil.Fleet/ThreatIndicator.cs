using System.Text.Json.Serialization;

namespace Vigil.Fleet;

/// <summary>
/// Something hostile one node saw that every node should act on until it expires: a source address
/// or network (<see cref="IndicatorKinds.Address"/>), a binary's SHA-256, or a domain.
/// </summary>
public sealed record ThreatIndicator
{
    /// <summary>Unique in the fleet; also the message id, so a replay is not applied twice.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>A CIDR (10.0.0.7/32), a lowercase hex SHA-256, or a domain name.</summary>
    [JsonPropertyName("value")]
    public required string Value { get; init; }

    /// <summary>The node that produced it; must match the node in the subject it arrived on.</summary>
    [JsonPropertyName("origin")]
    public required string Origin { get; init; }

    /// <summary>Why: the rule or ban behind it.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    [JsonPropertyName("issued")]
    public required DateTime Issued { get; init; }

    [JsonPropertyName("expires")]
    public required DateTime Expires { get; init; }

    public bool IsExpired(DateTime now) => Expires <= now;
}

public static class IndicatorKinds
{
    public const string Address = "address";
    public const string BinaryHash = "binary-hash";
    public const string Domain = "domain";

    public static bool IsKnown(string kind) => kind is Address or BinaryHash or Domain;
}
