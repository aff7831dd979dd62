namespace Vigil.Fleet;

/// <summary>
/// Names in NATS for one cluster: subjects <c>vigil.CLUSTER.NODE.TOPIC</c>, a conclusions stream
/// for everything but indicators, an indicators stream, and the node, rule and policy buckets.
/// </summary>
public sealed record FleetSubjects(string Cluster)
{
    public string ConclusionStream => $"VIGIL_{Cluster}";

    public string IndicatorStream => $"VIGIL_{Cluster}_INDICATORS";

    public string NodesBucket => $"vigil-{Cluster}-nodes";

    public string RulesBucket => $"vigil-{Cluster}-rules";

    public string PoliciesBucket => $"vigil-{Cluster}-policies";

    public static string Token(FleetTopic topic) => topic.ToString().ToLowerInvariant();

    public string Subject(string node, FleetTopic topic) => $"vigil.{Cluster}.{node}.{Token(topic)}";

    /// <summary>The subjects the conclusions stream stores, for every node.</summary>
    public IReadOnlyList<string> ConclusionSubjects =>
        [.. Enum.GetValues<FleetTopic>().Where(t => t != FleetTopic.Indicator).Select(t => Subject("*", t))];

    public string IndicatorSubjects => Subject("*", FleetTopic.Indicator);

    /// <summary>The node token of a subject of this cluster, or null.</summary>
    public string? NodeOf(string subject)
    {
        string[] parts = subject.Split('.');
        return parts.Length == 4 && parts[0] == "vigil" && parts[1] == Cluster ? parts[2] : null;
    }
}
