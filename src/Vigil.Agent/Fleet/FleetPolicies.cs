using Vigil.Agent.Host;
using Vigil.Policy;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Policies from the fleet's policies bucket (key: the policy's name, value: its YAML), read and
/// compiled exactly as policy files are, with every policy in force on this node. A revision with
/// any problem is rejected whole and the fleet's policies in force stay; an accepted one replaces
/// them as one generation (docs/policies.md).
/// </summary>
public sealed class FleetPolicies(NodeAgent agent)
{
    /// <summary>Policies from the bucket are named <c>fleet:KEY</c> in problems and listings.</summary>
    public const string Prefix = "fleet:";

    public IReadOnlyList<string> Apply(IReadOnlyDictionary<string, string> files)
    {
        if (agent.Policies is not { } engine)
        {
            return ["no judging sensor runs on this node, so no policy can be in force"];
        }
        var policies = new List<PolicyDocument>();
        var problems = new List<string>();
        foreach ((string key, string yaml) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            try
            {
                PolicyDocument policy = PolicyReader.Read(Prefix + key, yaml);
                if (policy.Name != key)
                {
                    problems.Add($"{policy.Location}: key '{key}' holds policy '{policy.Name}': the key must be the policy's name");
                }
                policies.Add(policy);
            }
            catch (PolicyException ex)
            {
                problems.AddRange(Lines(ex));
            }
        }
        if (problems.Count > 0)
        {
            return problems;
        }
        try
        {
            engine.ReplaceAll(policies, PolicyOrigin.Fleet);
            return [];
        }
        catch (PolicyException ex)
        {
            return Lines(ex);
        }
    }

    private static List<string> Lines(PolicyException ex) => ex.Problems.Count > 0 ? [.. ex.Problems.Select(p => p.ToString())] : [ex.Message];
}
