using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;

namespace Vigil.Policy;

/// <summary>
/// What a set of policies compiles to: each judging sensor's kernel rules, the network sensor's
/// filter, and the cgroups (as /proc/PID/cgroup names them) whose connects deny rules judge.
/// </summary>
public sealed record CompiledPolicies(IReadOnlyDictionary<EventFamily, IReadOnlyList<JudgeRule>> Judged, NetworkFilter Network, IReadOnlyList<string> DenyCgroups)
{
    public IReadOnlyList<JudgeRule> RulesOf(EventFamily family) => Judged.GetValueOrDefault(family) ?? [];
}
