using System.Text;
using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Judging;

/// <summary>
/// The policy maps of one loaded judging sensor (bpf/include/vigil/judge.h). A rule set is written
/// as the next generation into the slot the generation in force does not use, then switched in by
/// one map update, so the kernel judges every event by exactly one generation. A slot is rewritten
/// only after every program run that could have read its old generation has finished.
/// </summary>
public sealed class PolicyTables
{
    /// <summary>Generations whose rule names are kept for events still in the ring after a switch.</summary>
    private const uint NamedGenerations = 256;

    private readonly BpfMap _generation;
    private readonly BpfMap _config;
    private readonly BpfMap _rules;
    private readonly BpfMap _paths;
    private readonly BpfMap _suffixes;
    private readonly BpfMap _comms;
    private readonly BpfMap _ids;
    private readonly BpfMap _rates;
    private readonly BpfMap _counters;
    private readonly BpfMap _overload;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, IReadOnlyList<JudgeRule>> _byGeneration = [];

    public PolicyTables(BpfObject obj)
    {
        _generation = obj.Map("policy_generation");
        _config = obj.Map("policy_config");
        _rules = obj.Map("policy_rules");
        _paths = obj.Map("policy_paths");
        _suffixes = obj.Map("policy_suffixes");
        _comms = obj.Map("policy_comms");
        _ids = obj.Map("policy_ids");
        _rates = obj.Map("policy_rates");
        _counters = obj.Map("policy_counters");
        _overload = obj.Map("policy_overload");
        _byGeneration[0] = [];
    }

    /// <summary>Checks the C# mirrors of the policy tables against the object's BTF.</summary>
    public static void CheckLayouts(BtfInfo btf)
    {
        btf.CheckLayout<PolicyConfigRecord>("vigil_policy_config");
        btf.CheckLayout<PolicyRuleRecord>("vigil_policy_rule");
        btf.CheckLayout<PathKeyRecord>("vigil_path_key");
        btf.CheckLayout<PathMasksRecord>("vigil_path_masks");
        btf.CheckLayout<SuffixKeyRecord>("vigil_suffix_key");
        btf.CheckLayout<CommKeyRecord>("vigil_comm_key");
        btf.CheckLayout<IdKeyRecord>("vigil_id_key");
        btf.CheckLayout<RateKeyRecord>("vigil_rate_key");
        btf.CheckLayout<RuleCountersRecord>("vigil_rule_counters");
        btf.CheckLayout<VerdictRecord>("vigil_verdict");
    }

    /// <summary>The generation in force (0 before the first apply: no rule, nothing ships).</summary>
    public uint Generation { get; private set; }

    public IReadOnlyList<JudgeRule> Rules
    {
        get
        {
            lock (_lock)
            {
                return _byGeneration[Generation];
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="rules"/> the rule set in force and returns its generation. Rules that
    /// break a kernel limit are refused before anything is written.
    /// </summary>
    public uint Apply(IReadOnlyList<JudgeRule> rules)
    {
        Check(rules);
        lock (_lock)
        {
            uint next = Generation + 1;
            uint slot = next & 1;
            // Runs that read the generation before last may still be looking at this slot.
            BpfSystem.WaitForRunningPrograms();
            Clear(slot);
            Write(slot, rules);
            _generation.Update(0u, next);
            _byGeneration.Remove(next - NamedGenerations);
            _byGeneration[next] = rules;
            Generation = next;
            return next;
        }
    }

    /// <summary>The matched rules of an event judged by <paramref name="generation"/>.</summary>
    public PolicyMatch Match(in VerdictRecord verdict)
    {
        IReadOnlyList<JudgeRule> rules;
        lock (_lock)
        {
            rules = _byGeneration.GetValueOrDefault(verdict.Generation) ?? [];
        }
        var names = new List<string>();
        for (int i = 0; i < JudgeLimits.Rules; i++)
        {
            if ((verdict.Rules & (1UL << i)) != 0)
            {
                names.Add(i < rules.Count ? rules[i].Name : $"rule {i} of generation {verdict.Generation}");
            }
        }
        return new PolicyMatch
        {
            Generation = verdict.Generation,
            Rules = names,
            Killed = verdict.Killed != 0,
            Suppressed = verdict.Suppressed,
        };
    }

    /// <summary>Counters of each rule in force, summed over CPUs.</summary>
    public IReadOnlyList<(JudgeRule Rule, RuleCountersRecord Counters)> Counters()
    {
        lock (_lock)
        {
            IReadOnlyList<JudgeRule> rules = _byGeneration[Generation];
            uint slot = Generation & 1;
            return [.. rules.Select((rule, i) => (rule, Sum((uint)(slot * JudgeLimits.Rules + i))))];
        }
    }

    /// <summary>Events judged in the kernel that no rule wanted: counted, never shipped.</summary>
    public ulong Unmatched => Sum(JudgeLimits.UnmatchedCounter).Matched;

    /// <summary>Events overload sampling held back.</summary>
    public ulong OverloadThinned => Sum(JudgeLimits.UnmatchedCounter).Suppressed;

    /// <summary>Overload sampling: events of rules not marked critical ship one in this many (0 or 1: all).</summary>
    public void SetOverloadSampling(uint every) => _overload.Update(0u, every);

    private RuleCountersRecord Sum(uint index)
    {
        Span<RuleCountersRecord> perCpu = stackalloc RuleCountersRecord[BpfSystem.PossibleCpus];
        var total = default(RuleCountersRecord);
        if (!_counters.TryLookupPerCpu(index, perCpu))
        {
            return total;
        }
        foreach (RuleCountersRecord c in perCpu)
        {
            total.Matched += c.Matched;
            total.Shipped += c.Shipped;
            total.Suppressed += c.Suppressed;
            total.Killed += c.Killed;
        }
        return total;
    }

    private static void Check(IReadOnlyList<JudgeRule> rules)
    {
        if (rules.Count > JudgeLimits.Rules)
        {
            throw new ArgumentException($"{rules.Count} rules for one sensor; the kernel tables hold {JudgeLimits.Rules}");
        }
        foreach (JudgeRule rule in rules)
        {
            if (rule.Ops.Count == 0 || rule.Ops.Any(op => op is < 0 or >= JudgeLimits.Ops))
            {
                throw new ArgumentException($"{rule.Name}: event types must be between 0 and {JudgeLimits.Ops - 1}");
            }
            foreach (string prefix in rule.PathPrefixes.Concat(rule.BinaryPrefixes).Concat(rule.ParentPrefixes))
            {
                CheckLength(rule, prefix, JudgeLimits.PathBytes, "prefix");
            }
            foreach (string exact in rule.PathExact.Concat(rule.BinaryExact).Concat(rule.ParentExact))
            {
                CheckLength(rule, exact, JudgeLimits.PathBytes - 1, "exact path");
            }
            foreach (string suffix in rule.PathSuffixes)
            {
                CheckLength(rule, suffix, JudgeLimits.SuffixBytes, "suffix");
            }
            foreach (string comm in rule.Comms)
            {
                CheckLength(rule, comm, JudgeLimits.CommBytes, "comm");
            }
        }
        int suffixLengths = rules.SelectMany(r => r.PathSuffixes).Select(s => Encoding.UTF8.GetByteCount(s)).Distinct().Count();
        if (suffixLengths > JudgeLimits.SuffixLengths)
        {
            throw new ArgumentException($"path suffixes of {suffixLengths} different lengths; the kernel checks at most {JudgeLimits.SuffixLengths}");
        }
    }

    private static void CheckLength(JudgeRule rule, string value, int max, string what)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes == 0 || bytes > max)
        {
            throw new ArgumentException($"{rule.Name}: {what} '{value}' is {bytes} bytes; it must be 1 to {max}");
        }
    }

    /// <summary>Removes every entry of the slot: what the generation before last left there.</summary>
    private void Clear(uint slot)
    {
        foreach (PathKeyRecord key in _paths.Keys<PathKeyRecord>().Where(k => k.Slot == slot))
        {
            _paths.Delete(key);
        }
        foreach (SuffixKeyRecord key in _suffixes.Keys<SuffixKeyRecord>().Where(k => k.Slot == slot))
        {
            _suffixes.Delete(key);
        }
        foreach (CommKeyRecord key in _comms.Keys<CommKeyRecord>().Where(k => k.Slot == slot))
        {
            _comms.Delete(key);
        }
        foreach (IdKeyRecord key in _ids.Keys<IdKeyRecord>().Where(k => k.Slot == slot))
        {
            _ids.Delete(key);
        }
        foreach (RateKeyRecord key in _rates.Keys<RateKeyRecord>().Where(k => k.Rule / JudgeLimits.Rules == slot))
        {
            _rates.Delete(key);
        }
        Span<RuleCountersRecord> zero = stackalloc RuleCountersRecord[BpfSystem.PossibleCpus];
        for (uint i = 0; i < JudgeLimits.Rules; i++)
        {
            _counters.UpdatePerCpu(slot * JudgeLimits.Rules + i, (ReadOnlySpan<RuleCountersRecord>)zero);
        }
    }

    private unsafe void Write(uint slot, IReadOnlyList<JudgeRule> rules)
    {
        var config = default(PolicyConfigRecord);
        var trie = new PathTrie();
        var suffixes = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var comms = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var ids = new Dictionary<(JudgeIdKind, ulong), ulong>();
        for (int i = 0; i < rules.Count; i++)
        {
            JudgeRule rule = rules[i];
            ulong bit = 1UL << i;
            foreach (int op in rule.Ops)
            {
                config.OpRules[op] |= bit;
            }
            Carry(ref config, JudgeSelector.Path, bit, rule.PathPrefixes.Count + rule.PathExact.Count + rule.PathSuffixes.Count > 0);
            Carry(ref config, JudgeSelector.Binary, bit, rule.BinaryPrefixes.Count + rule.BinaryExact.Count > 0);
            Carry(ref config, JudgeSelector.Parent, bit, rule.ParentPrefixes.Count + rule.ParentExact.Count > 0);
            Carry(ref config, JudgeSelector.Uid, bit, rule.Uids.Count > 0);
            Carry(ref config, JudgeSelector.Comm, bit, rule.Comms.Count > 0);
            Carry(ref config, JudgeSelector.Cgroup, bit, rule.CgroupIds.Count > 0);
            Carry(ref config, JudgeSelector.PidNamespace, bit, rule.PidNamespaces.Count > 0);
            Carry(ref config, JudgeSelector.Intent, bit, rule.Intent != FileIntent.None);
            Carry(ref config, JudgeSelector.Host, bit, rule.Scope == ProcessScope.Host);
            Carry(ref config, JudgeSelector.Container, bit, rule.Scope == ProcessScope.Container);
            Carry(ref config, JudgeSelector.ToRoot, bit, rule.ToRoot);
            if (rule.UidNegated && rule.Uids.Count > 0)
            {
                config.UidNegated |= bit;
            }
            if (rule.CommNegated && rule.Comms.Count > 0)
            {
                config.CommNegated |= bit;
            }
            for (int intent = 0; intent < 4; intent++)
            {
                if (((int)rule.Intent & (1 << intent)) != 0)
                {
                    config.IntentRules[intent] |= bit;
                }
            }
            if (rule.Critical)
            {
                config.Critical |= bit;
            }
            AddPaths(trie, rule.PathPrefixes, rule.PathExact, PathRole.Path, i);
            AddPaths(trie, rule.BinaryPrefixes, rule.BinaryExact, PathRole.Binary, i);
            AddPaths(trie, rule.ParentPrefixes, rule.ParentExact, PathRole.Parent, i);
            Collect(suffixes, rule.PathSuffixes, bit);
            Collect(comms, rule.Comms, bit);
            Collect(ids, rule.Uids.Select(u => (JudgeIdKind.Uid, (ulong)u)), bit);
            Collect(ids, rule.CgroupIds.Select(c => (JudgeIdKind.Cgroup, c)), bit);
            Collect(ids, rule.PidNamespaces.Select(n => (JudgeIdKind.PidNamespace, n)), bit);
            _rules.Update(slot * JudgeLimits.Rules + (uint)i, new PolicyRuleRecord
            {
                Action = (byte)rule.Action,
                Enforce = rule.Enforce ? (byte)1 : (byte)0,
                SampleEvery = rule.SampleEvery,
                RateLimit = rule.RateLimit,
                RateIntervalNs = (ulong)(rule.RateInterval.Ticks * 100),
            });
        }

        foreach ((byte[] bytes, PathMasksRecord masks) in trie.Entries())
        {
            var key = new PathKeyRecord { Prefixlen = 32 + 8 * (uint)bytes.Length, Slot = slot };
            bytes.CopyTo(new Span<byte>(key.Path, JudgeLimits.PathBytes));
            _paths.Update(key, masks);
        }
        int lengths = 0;
        foreach (int length in suffixes.Keys.Select(s => Encoding.UTF8.GetByteCount(s)).Distinct().Order())
        {
            config.SuffixLengths[lengths++] = (byte)length;
        }
        foreach ((string suffix, ulong mask) in suffixes)
        {
            var key = new SuffixKeyRecord { Slot = slot, Len = (uint)Encoding.UTF8.GetByteCount(suffix) };
            Encoding.UTF8.GetBytes(suffix, new Span<byte>(key.Bytes, JudgeLimits.SuffixBytes));
            _suffixes.Update(key, mask);
        }
        foreach ((string comm, ulong mask) in comms)
        {
            var key = new CommKeyRecord { Slot = slot };
            Encoding.UTF8.GetBytes(comm, new Span<byte>(key.Comm, 16));
            _comms.Update(key, mask);
        }
        foreach (((JudgeIdKind kind, ulong id), ulong mask) in ids)
        {
            _ids.Update(new IdKeyRecord { Slot = slot, Kind = (uint)kind, Id = id }, mask);
        }
        _config.Update(slot, config);
    }

    private static unsafe void Carry(ref PolicyConfigRecord config, JudgeSelector selector, ulong bit, bool carries)
    {
        if (carries)
        {
            config.Has[(int)selector] |= bit;
        }
    }

    private static void AddPaths(PathTrie trie, IReadOnlyList<string> prefixes, IReadOnlyList<string> exact, PathRole role, int rule)
    {
        foreach (string prefix in prefixes)
        {
            trie.AddPrefix(prefix, role, rule);
        }
        foreach (string path in exact)
        {
            trie.AddExact(path, role, rule);
        }
    }

    private static void Collect<TKey>(Dictionary<TKey, ulong> masks, IEnumerable<TKey> keys, ulong bit) where TKey : notnull
    {
        foreach (TKey key in keys)
        {
            masks[key] = masks.GetValueOrDefault(key) | bit;
        }
    }
}
