using Vigil.Sensors.Judging;

namespace Vigil.Policy;

/// <summary>A network rule, compiled for the network sensor's filter maps.</summary>
public sealed record NetworkPolicyRule(string Name, IReadOnlyList<string> Events, PolicySelectors Match, IReadOnlyList<ulong> CgroupIds, PolicyAction Action, bool Enforce);

/// <summary>What a set of policies compiles to: each judging sensor's kernel rules, and the network rules.</summary>
public sealed record CompiledPolicies(IReadOnlyDictionary<EventFamily, IReadOnlyList<JudgeRule>> Judged, IReadOnlyList<NetworkPolicyRule> Network)
{
    public IReadOnlyList<JudgeRule> RulesOf(EventFamily family) => Judged.GetValueOrDefault(family) ?? [];
}
