using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;

namespace Vigil.Policy;

/// <summary>
/// The policies in force, and the only way to change them: apply (add or replace by name), delete,
/// or replace all the policies of one <see cref="PolicyOrigin"/>. Each origin keeps its own
/// policies; the set in force is their union, a later origin's policy replacing an earlier one's of
/// the same name. Each change compiles the complete set it would produce first; a set
/// with any problem is refused and nothing in force changes. A good set goes to each running
/// sensor's tables as one new generation, switched in atomically; network rules go to the network
/// sensor's filter, and deny-connect rules attach its connect hooks to the cgroups they name.
/// </summary>
public sealed class PolicyEngine(
    IReadOnlyDictionary<EventFamily, PolicyTables> tables,
    PolicyCompiler compiler,
    NetworkSensor? network = null,
    Func<string, string>? cgroupDirectory = null) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IDisposable> _denials = new(StringComparer.Ordinal);
    private Dictionary<PolicyOrigin, Dictionary<string, PolicyDocument>> _layers = [];
    private Dictionary<string, (PolicyDocument Policy, PolicyOrigin Origin)> _inForce = new(StringComparer.Ordinal);

    /// <summary>The policies in force, by name.</summary>
    public IReadOnlyList<PolicyDocument> Policies
    {
        get
        {
            lock (_lock)
            {
                return [.. _inForce.Values.Select(p => p.Policy).OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Where the policy of this name in force came from; null when none is.</summary>
    public PolicyOrigin? OriginOf(string name)
    {
        lock (_lock)
        {
            return _inForce.TryGetValue(name, out var p) ? p.Origin : null;
        }
    }

    /// <summary>What the set in force compiled to.</summary>
    public CompiledPolicies Compiled { get; private set; } = new(new Dictionary<EventFamily, IReadOnlyList<JudgeRule>>(), NetworkFilter.None, []);

    /// <summary>Adds a policy of <paramref name="origin"/>, or replaces its policy of the same name.</summary>
    public void Apply(PolicyDocument policy, PolicyOrigin origin)
    {
        lock (_lock)
        {
            Commit(origin, new Dictionary<string, PolicyDocument>(Layer(origin), StringComparer.Ordinal) { [policy.Name] = policy });
        }
    }

    /// <summary>Removes a policy of <paramref name="origin"/>; false when that origin has none of that name.</summary>
    public bool Delete(string name, PolicyOrigin origin)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, PolicyDocument>(Layer(origin), StringComparer.Ordinal);
            if (!next.Remove(name))
            {
                return false;
            }
            Commit(origin, next);
            return true;
        }
    }

    /// <summary>Makes exactly these policies the ones of <paramref name="origin"/>.</summary>
    public void ReplaceAll(IEnumerable<PolicyDocument> policies, PolicyOrigin origin)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, PolicyDocument>(StringComparer.Ordinal);
            foreach (PolicyDocument policy in policies)
            {
                if (!next.TryAdd(policy.Name, policy))
                {
                    throw new PolicyException(policy.Location, $"policy name '{policy.Name}' is used by two policies");
                }
            }
            Commit(origin, next);
        }
    }

    private IReadOnlyDictionary<string, PolicyDocument> Layer(PolicyOrigin origin) =>
        _layers.TryGetValue(origin, out Dictionary<string, PolicyDocument>? layer) ? layer : new Dictionary<string, PolicyDocument>();

    private void Commit(PolicyOrigin origin, Dictionary<string, PolicyDocument> layer)
    {
        var layers = new Dictionary<PolicyOrigin, Dictionary<string, PolicyDocument>>(_layers) { [origin] = layer };
        var next = new Dictionary<string, (PolicyDocument, PolicyOrigin)>(StringComparer.Ordinal);
        foreach ((PolicyOrigin from, Dictionary<string, PolicyDocument> policies) in layers.OrderBy(l => l.Key))
        {
            foreach (PolicyDocument policy in policies.Values)
            {
                next[policy.Name] = (policy, from);
            }
        }
        CompiledPolicies compiled = compiler.Compile(next.Values.Select(p => p.Item1).OrderBy(p => p.Name, StringComparer.Ordinal));
        foreach ((EventFamily family, PolicyTables table) in tables)
        {
            table.Apply(compiled.RulesOf(family));
        }
        network?.Apply(compiled.Network);
        if (network is not null && cgroupDirectory is not null)
        {
            DenyConnectsIn(compiled.DenyCgroups);
        }
        _layers = layers;
        _inForce = next;
        Compiled = compiled;
    }

    /// <summary>Connect hooks on exactly the cgroups deny rules name.</summary>
    private void DenyConnectsIn(IReadOnlyList<string> cgroups)
    {
        foreach (string gone in _denials.Keys.Except(cgroups).ToList())
        {
            _denials.Remove(gone, out IDisposable? denial);
            denial?.Dispose();
        }
        foreach (string cgroup in cgroups.Where(c => !_denials.ContainsKey(c)))
        {
            _denials[cgroup] = network!.DenyConnects(cgroupDirectory!(cgroup));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (IDisposable denial in _denials.Values)
            {
                denial.Dispose();
            }
            _denials.Clear();
        }
    }
}
