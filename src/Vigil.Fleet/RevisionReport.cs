using System.Text.Json.Serialization;

namespace Vigil.Fleet;

/// <summary>What a node did with a revision of the rules or policies bucket, published on <c>vigil.CLUSTER.NODE.rules</c> or <c>.policies</c>.</summary>
public sealed record RevisionReport
{
    [JsonPropertyName("node")]
    public required string Node { get; init; }

    [JsonPropertyName("revision")]
    public required ulong Revision { get; init; }

    /// <summary>accepted or rejected.</summary>
    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    [JsonPropertyName("errors")]
    public required IReadOnlyList<string> Errors { get; init; }

    /// <summary>The revision in force afterwards (the previous one when this one was rejected).</summary>
    [JsonPropertyName("in_force")]
    public required ulong InForce { get; init; }

    [JsonPropertyName("at")]
    public required DateTime At { get; init; }
}
