using System.Text.Json.Serialization;

namespace Vigil.Fleet;

/// <summary>What a node did with an indicator, published on <c>vigil.CLUSTER.NODE.applied</c>.</summary>
public sealed record IndicatorReport
{
    [JsonPropertyName("indicator")]
    public required string IndicatorId { get; init; }

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("value")]
    public required string Value { get; init; }

    [JsonPropertyName("origin")]
    public required string Origin { get; init; }

    [JsonPropertyName("node")]
    public required string Node { get; init; }

    [JsonPropertyName("applied")]
    public required bool Applied { get; init; }

    /// <summary>What was done (an XDP ban with its TTL) or why nothing was.</summary>
    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("issued")]
    public required DateTime Issued { get; init; }

    [JsonPropertyName("at")]
    public required DateTime At { get; init; }
}

/// <summary>The outcome of applying an indicator on this node.</summary>
public sealed record IndicatorOutcome(bool Applied, string Action);
