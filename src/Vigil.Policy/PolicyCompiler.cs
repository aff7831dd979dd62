using System.Text;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;
using Vigil.Sensors.Privilege;

namespace Vigil.Policy;

/// <summary>
/// Compiles a set of policies into kernel tables: checks what only the whole set or the host can tell
/// (a rule's event types and selectors belong to one sensor, the per-sensor rule limit, cgroups
/// exist), then turns each rule into the sensor's <see cref="JudgeRule"/>. Any problem rejects the set.
/// </summary>
public sealed class PolicyCompiler(Func<string, ulong?> cgroupId)
{
    private static readonly string[] FileOnly = ["path", "intent"];
    private static readonly string[] NetworkOnly = ["destination", "source", "ports"];

    public CompiledPolicies Compile(IEnumerable<PolicyDocument> policies)
    {
        var problems = new List<PolicyProblem>();
        var judged = new Dictionary<EventFamily, List<JudgeRule>> { [EventFamily.File] = [], [EventFamily.Privilege] = [] };
        var network = new List<NetworkRule>();
        var denyCgroups = new SortedSet<string>(StringComparer.Ordinal);
        foreach (PolicyDocument policy in policies)
        {
            foreach (PolicyRule rule in policy.Rules)
            {
                string name = $"{policy.Name}/{rule.Name}";
                if (Family(rule, problems) is not { } family)
                {
                    continue;
                }
                IReadOnlyList<ulong> cgroups = Cgroups(rule, problems);
                if (family == EventFamily.Network)
                {
                    if (Network(name, rule, policy.Mode, problems) is { } networkRule)
                    {
                        network.Add(networkRule);
                        if (networkRule.Action == NetworkAction.Deny)
                        {
                            denyCgroups.UnionWith(rule.Match.Cgroup);
                        }
                    }
                    continue;
                }
                List<JudgeRule> rules = judged[family];
                if (rules.Count == JudgeLimits.Rules)
                {
                    problems.Add(new PolicyProblem(rule.Location, $"more than {JudgeLimits.Rules} {family.ToString().ToLowerInvariant()} rules in force; the kernel tables hold {JudgeLimits.Rules}"));
                    continue;
                }
                rules.Add(Judge(name, family, rule, cgroups, policy.Mode));
            }
        }
        int suffixLengths = judged[EventFamily.File].SelectMany(r => r.PathSuffixes).Select(Encoding.UTF8.GetByteCount).Distinct().Count();
        if (suffixLengths > JudgeLimits.SuffixLengths)
        {
            PolicyRule first = policies.SelectMany(p => p.Rules).First(r => r.Match.PathSuffix.Count > 0);
            problems.Add(new PolicyProblem(first.Locations.GetValueOrDefault("path", first.Location),
                $"path suffixes of {suffixLengths} different lengths are in force; the kernel checks at most {JudgeLimits.SuffixLengths}"));
        }
        var filter = new NetworkFilter { Rules = network };
        try
        {
            filter.Validate();
        }
        catch (NetworkFilterException ex)
        {
            problems.Add(new PolicyProblem(policies.SelectMany(p => p.Rules).FirstOrDefault(r => EventTypes.FamilyOf(r.Events[0]) == EventFamily.Network)?.Location ?? default, ex.Message));
        }
        if (problems.Count > 0)
        {
            throw new PolicyException(problems);
        }
        return new CompiledPolicies(judged.ToDictionary(p => p.Key, p => (IReadOnlyList<JudgeRule>)p.Value), network.Count > 0 ? filter : NetworkFilter.None, [.. denyCgroups]);
    }

    /// <summary>The sensor that judges the rule's events; null (with problems) when they are mixed or selectors do not fit.</summary>
    private static EventFamily? Family(PolicyRule rule, List<PolicyProblem> problems)
    {
        var families = rule.Events.Select(EventTypes.FamilyOf).OfType<EventFamily>().Distinct().ToList();
        PolicyLocation events = rule.Locations.GetValueOrDefault("events", rule.Location);
        if (families.Count != 1)
        {
            problems.Add(new PolicyProblem(events, $"rule '{rule.Name}': its events must all be file, all privilege or all network event types"));
            return null;
        }
        EventFamily family = families[0];
        int before = problems.Count;
        foreach (string selector in rule.Locations.Keys)
        {
            if ((family != EventFamily.File && FileOnly.Contains(selector)) || (family != EventFamily.Network && NetworkOnly.Contains(selector)))
            {
                problems.Add(new PolicyProblem(rule.Locations[selector], $"selector '{selector}' does not apply to {family.ToString().ToLowerInvariant()} events"));
            }
        }
        if (rule.Match.ToRoot && rule.Events.Any(e => !PrivilegeSyscalls.ChangesIds(e)))
        {
            problems.Add(new PolicyProblem(rule.Locations["toRoot"], "selector 'toRoot' applies to the setuid and setgid family only"));
        }
        if (rule.Match.Uid.Count > 0 && rule.Match.NotUid.Count > 0)
        {
            problems.Add(new PolicyProblem(rule.Locations["notUid"], "a rule takes uid or notUid, not both"));
        }
        if (rule.Match.Comm.Count > 0 && rule.Match.NotComm.Count > 0)
        {
            problems.Add(new PolicyProblem(rule.Locations["notComm"], "a rule takes comm or notComm, not both"));
        }
        PolicyLocation action = rule.Locations.GetValueOrDefault("action", rule.Location);
        if (rule.Action == PolicyAction.Sigkill && family == EventFamily.Network)
        {
            problems.Add(new PolicyProblem(action, "sigkill applies to file and privilege events; use deny-connect for connections"));
        }
        if (rule.Action == PolicyAction.DenyConnect && (family != EventFamily.Network || rule.Events.Any(e => e != "connect")))
        {
            problems.Add(new PolicyProblem(action, "deny-connect applies to connect events only"));
        }
        return problems.Count == before ? family : null;
    }

    private static readonly string[] ProcessSelectors = ["binary", "parentBinary", "uid", "notUid", "comm", "notComm", "processes", "pidNamespace", "toRoot"];

    /// <summary>A network rule for the network sensor's filter, which selects by address, port and direction.</summary>
    private static NetworkRule? Network(string name, PolicyRule rule, PolicyMode mode, List<PolicyProblem> problems)
    {
        int before = problems.Count;
        foreach (string selector in ProcessSelectors.Where(rule.Locations.ContainsKey))
        {
            problems.Add(new PolicyProblem(rule.Locations[selector], $"selector '{selector}' does not apply to network events (the network filter selects by address, port and direction)"));
        }
        if (rule.Locations.TryGetValue("cgroup", out PolicyLocation cgroup) && rule.Action != PolicyAction.DenyConnect)
        {
            problems.Add(new PolicyProblem(cgroup, "on network rules 'cgroup' names where deny-connect refuses connects; it belongs to deny-connect rules"));
        }
        if (rule.Action is PolicyAction.Sample or PolicyAction.RateLimit)
        {
            problems.Add(new PolicyProblem(rule.Locations.GetValueOrDefault("action", rule.Location), "network rules take post, count or deny-connect"));
        }
        if (rule.Action == PolicyAction.DenyConnect && rule.Match.Cgroup.Count == 0)
        {
            problems.Add(new PolicyProblem(rule.Locations.GetValueOrDefault("action", rule.Location), "deny-connect needs 'cgroup': the cgroups whose connects it refuses"));
        }
        if (problems.Count > before)
        {
            return null;
        }
        bool outbound = rule.Events.Contains("connect"), inbound = rule.Events.Contains("accept");
        return new NetworkRule
        {
            Name = name,
            Action = rule.Action switch
            {
                PolicyAction.Count => NetworkAction.Count,
                PolicyAction.DenyConnect when mode == PolicyMode.Enforce => NetworkAction.Deny,
                _ => NetworkAction.Post,
            },
            Directions = (outbound ? NetworkDirections.Outbound : 0) | (inbound ? NetworkDirections.Inbound : 0),
            Destinations = rule.Match.Destination,
            Sources = rule.Match.Source,
            DestinationPorts = rule.Match.Ports,
        };
    }

    private IReadOnlyList<ulong> Cgroups(PolicyRule rule, List<PolicyProblem> problems)
    {
        var ids = new List<ulong>();
        foreach (string path in rule.Match.Cgroup)
        {
            if (cgroupId(path) is { } id)
            {
                ids.Add(id);
            }
            else
            {
                problems.Add(new PolicyProblem(rule.Locations.GetValueOrDefault("cgroup", rule.Location), $"cgroup '{path}' does not exist on this host"));
            }
        }
        return ids;
    }

    private static JudgeRule Judge(string name, EventFamily family, PolicyRule rule, IReadOnlyList<ulong> cgroups, PolicyMode mode)
    {
        IReadOnlyDictionary<string, int> ops = family == EventFamily.File ? FileSyscalls.EventTypes : PrivilegeSyscalls.EventTypes;
        PolicySelectors m = rule.Match;
        return new JudgeRule
        {
            Name = name,
            Ops = [.. rule.Events.Select(e => ops[e]).Distinct()],
            PathExact = m.PathExact,
            PathPrefixes = m.PathPrefix,
            PathSuffixes = m.PathSuffix,
            Intent = m.Intent,
            BinaryExact = m.BinaryExact,
            BinaryPrefixes = m.BinaryPrefix,
            ParentExact = m.ParentExact,
            ParentPrefixes = m.ParentPrefix,
            Uids = m.Uid.Count > 0 ? m.Uid : m.NotUid,
            UidNegated = m.NotUid.Count > 0,
            Comms = m.Comm.Count > 0 ? m.Comm : m.NotComm,
            CommNegated = m.NotComm.Count > 0,
            Scope = m.Processes,
            ToRoot = m.ToRoot,
            PidNamespaces = m.PidNamespace,
            CgroupIds = cgroups,
            Action = rule.Action switch
            {
                PolicyAction.Count => JudgeAction.Count,
                PolicyAction.Sample => JudgeAction.Sample,
                PolicyAction.RateLimit => JudgeAction.RateLimit,
                PolicyAction.Sigkill => JudgeAction.Sigkill,
                _ => JudgeAction.Post,
            },
            SampleEvery = rule.SampleEvery,
            RateLimit = rule.RateLimitEvents,
            RateInterval = rule.RateLimitInterval,
            Enforce = mode == PolicyMode.Enforce,
            Critical = rule.Critical || rule.Action == PolicyAction.Sigkill,
        };
    }
}
