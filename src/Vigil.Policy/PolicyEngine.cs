using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;

namespace Vigil.Policy;

/// <summary>
/// The policies in force, and the only way to change them: apply (add or replace by name), delete,
/// or replace the whole set. Each change compiles the complete set it would produce first; a set
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
    private Dictionary<string, PolicyDocument> _inForce = new(StringComparer.Ordinal);

    public IReadOnlyList<PolicyDocument> Policies
    {
        get
        {
            lock (_lock)
            {
                return [.. _inForce.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>What the set in force compiled to.</summary>
    public CompiledPolicies Compiled { get; private set; } = new(new Dictionary<EventFamily, IReadOnlyList<JudgeRule>>(), NetworkFilter.None, []);

    /// <summary>Adds a policy, or replaces the one of the same name.</summary>
    public void Apply(PolicyDocument policy)
    {
        lock (_lock)
        {
            Commit(new Dictionary<string, PolicyDocument>(_inForce, StringComparer.Ordinal) { [policy.Name] = policy });
        }
    }

    /// <summary>Removes a policy; false when none of that name is in force.</summary>
    public bool Delete(string name)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, PolicyDocument>(_inForce, StringComparer.Ordinal);
            if (!next.Remove(name))
            {
                return false;
            }
            Commit(next);
            return true;
        }
    }

    /// <summary>Makes exactly these policies the set in force.</summary>
    public void ReplaceAll(IEnumerable<PolicyDocument> policies)
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
            Commit(next);
        }
    }

    private void Commit(Dictionary<string, PolicyDocument> next)
    {
        CompiledPolicies compiled = compiler.Compile(next.Values.OrderBy(p => p.Name, StringComparer.Ordinal));
        foreach ((EventFamily family, PolicyTables table) in tables)
        {
            table.Apply(compiled.RulesOf(family));
        }
        network?.Apply(compiled.Network);
        if (network is not null && cgroupDirectory is not null)
        {
            DenyConnectsIn(compiled.DenyCgroups);
        }
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
