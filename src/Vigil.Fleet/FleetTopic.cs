namespace Vigil.Fleet;

/// <summary>What a message on <c>vigil.CLUSTER.NODE.TOPIC</c> carries.</summary>
public enum FleetTopic
{
    Detection,
    Incident,
    Flow,
    Aggregate,
    /// <summary>An agent applied (or could not apply) a threat indicator.</summary>
    Applied,
    /// <summary>An agent accepted or rejected a rule revision from the rules bucket.</summary>
    Rules,
    /// <summary>An agent accepted or rejected a policy revision from the policies bucket.</summary>
    Policies,
    /// <summary>Threat indicators: in a stream of their own that every agent consumes.</summary>
    Indicator,
}
