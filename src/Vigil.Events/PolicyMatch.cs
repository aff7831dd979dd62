namespace Vigil.Events;

/// <summary>How the policies in the kernel judged an event that was shipped.</summary>
public sealed class PolicyMatch
{
    /// <summary>The policy generation that judged it (exactly one per event).</summary>
    public required uint Generation { get; init; }

    /// <summary>The rules that matched, as "policy/rule".</summary>
    public required IReadOnlyList<string> Rules { get; init; }

    /// <summary>A sigkill rule in enforce mode killed the process.</summary>
    public bool Killed { get; init; }

    /// <summary>Rate limit: events of the same rule and process held back since the last one shipped.</summary>
    public uint Suppressed { get; init; }
}
