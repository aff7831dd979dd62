namespace Vigil.Policy;

/// <summary>
/// Where a policy in force came from. Each origin owns its policies; when two origins hold a policy
/// of the same name, the later one in this order is the one in force (the fleet's version of a
/// shipped policy replaces it, and an operator's live change on the node replaces both).
/// </summary>
public enum PolicyOrigin
{
    /// <summary>The watched policy directory.</summary>
    Directory,

    /// <summary>The fleet's policies bucket.</summary>
    Fleet,

    /// <summary>The local API (<c>vigil policy apply</c>).</summary>
    Api,
}
