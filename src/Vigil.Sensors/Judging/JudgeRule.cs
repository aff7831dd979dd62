using Vigil.Events;

namespace Vigil.Sensors.Judging;

/// <summary>Mirror of <c>enum vigil_policy_action</c>.</summary>
public enum JudgeAction : byte
{
    Post = 0,
    Count = 1,
    Sample = 2,
    RateLimit = 3,
    Sigkill = 4,
}

/// <summary>Which processes a rule is about: all, those of the host, or those in containers (another pid namespace).</summary>
public enum ProcessScope
{
    Any,
    Host,
    Container,
}

/// <summary>
/// One rule as a judging sensor's kernel tables hold it: the event types it judges, its selectors
/// (each a set; an empty set is a selector the rule does not carry) and its action.
/// </summary>
public sealed record JudgeRule
{
    /// <summary>"policy/rule", for events and counters.</summary>
    public required string Name { get; init; }

    /// <summary>Event types (the sensor's op numbers) the rule judges.</summary>
    public required IReadOnlyList<int> Ops { get; init; }

    public IReadOnlyList<string> PathPrefixes { get; init; } = [];

    public IReadOnlyList<string> PathExact { get; init; } = [];

    public IReadOnlyList<string> PathSuffixes { get; init; } = [];

    public IReadOnlyList<string> BinaryPrefixes { get; init; } = [];

    public IReadOnlyList<string> BinaryExact { get; init; } = [];

    public IReadOnlyList<string> ParentPrefixes { get; init; } = [];

    public IReadOnlyList<string> ParentExact { get; init; } = [];

    public IReadOnlyList<uint> Uids { get; init; } = [];

    /// <summary>The uid selector is "none of Uids" instead of "one of".</summary>
    public bool UidNegated { get; init; }

    public IReadOnlyList<string> Comms { get; init; } = [];

    /// <summary>The comm selector is "none of Comms" instead of "one of".</summary>
    public bool CommNegated { get; init; }

    /// <summary>Cgroup v2 ids; a process in one of them or below matches.</summary>
    public IReadOnlyList<ulong> CgroupIds { get; init; } = [];

    /// <summary>Pid namespace inode numbers.</summary>
    public IReadOnlyList<ulong> PidNamespaces { get; init; } = [];

    /// <summary>File intents accepted; None accepts every intent.</summary>
    public FileIntent Intent { get; init; }

    public ProcessScope Scope { get; init; }

    /// <summary>setuid family: only calls of a process not running as root that ask for id 0.</summary>
    public bool ToRoot { get; init; }

    public JudgeAction Action { get; init; }

    public uint SampleEvery { get; init; }

    public uint RateLimit { get; init; }

    public TimeSpan RateInterval { get; init; }

    /// <summary>Enforce mode: a sigkill rule kills; in monitor mode it only reports.</summary>
    public bool Enforce { get; init; }

    /// <summary>Overload sampling never thins this rule's events.</summary>
    public bool Critical { get; init; }
}
