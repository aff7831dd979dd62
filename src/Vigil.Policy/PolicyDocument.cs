using System.Net;
using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;

namespace Vigil.Policy;

public enum PolicyMode
{
    Monitor,
    Enforce,
}

public enum PolicyAction
{
    Post,
    Count,
    Sample,
    RateLimit,
    Sigkill,
    DenyConnect,
}

/// <summary>A policy file's content: <c>metadata.name</c> and <c>spec</c>.</summary>
public sealed record PolicyDocument(string Name, PolicyMode Mode, IReadOnlyList<PolicyRule> Rules, PolicyLocation Location)
{
    public string Description { get; init; } = "";
}

/// <summary>The selectors of a rule, ANDed; an empty set is a selector the rule does not carry.</summary>
public sealed record PolicySelectors
{
    public IReadOnlyList<string> PathExact { get; init; } = [];

    public IReadOnlyList<string> PathPrefix { get; init; } = [];

    public IReadOnlyList<string> PathSuffix { get; init; } = [];

    public FileIntent Intent { get; init; }

    public IReadOnlyList<string> BinaryExact { get; init; } = [];

    public IReadOnlyList<string> BinaryPrefix { get; init; } = [];

    public IReadOnlyList<string> ParentExact { get; init; } = [];

    public IReadOnlyList<string> ParentPrefix { get; init; } = [];

    public IReadOnlyList<uint> Uid { get; init; } = [];

    public IReadOnlyList<uint> NotUid { get; init; } = [];

    public IReadOnlyList<string> Comm { get; init; } = [];

    public IReadOnlyList<string> NotComm { get; init; } = [];

    public ProcessScope Processes { get; init; }

    /// <summary>setuid family: only calls of a process not fully root (real or effective id not 0) that ask for id 0.</summary>
    public bool ToRoot { get; init; }

    public IReadOnlyList<ulong> PidNamespace { get; init; } = [];

    /// <summary>Cgroup paths as /proc/PID/cgroup names them; a process in one or below matches.</summary>
    public IReadOnlyList<string> Cgroup { get; init; } = [];

    public IReadOnlyList<IPNetwork> Destination { get; init; } = [];

    public IReadOnlyList<IPNetwork> Source { get; init; } = [];

    /// <summary>Destination ports.</summary>
    public IReadOnlyList<PortRange> Ports { get; init; } = [];
}

/// <summary>One rule: the event types it judges, its selectors and its action.</summary>
public sealed record PolicyRule(string Name, IReadOnlyList<string> Events, PolicySelectors Match, PolicyAction Action, PolicyLocation Location)
{
    /// <summary>Action sample: one event in this many ships.</summary>
    public uint SampleEvery { get; init; }

    /// <summary>Action rate-limit: events per interval and process.</summary>
    public uint RateLimitEvents { get; init; }

    public TimeSpan RateLimitInterval { get; init; }

    /// <summary>Overload sampling never thins this rule's events.</summary>
    public bool Critical { get; init; }

    /// <summary>Where each selector and the action were written, for problems found when compiling.</summary>
    public IReadOnlyDictionary<string, PolicyLocation> Locations { get; init; } = new Dictionary<string, PolicyLocation>();
}
