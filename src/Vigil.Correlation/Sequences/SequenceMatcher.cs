using System.Collections.Frozen;
using System.Runtime.InteropServices;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Signals;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Correlation.Sequences;

/// <summary>A sequence rule that completed: the signals that matched its steps, in order.</summary>
public sealed record SequenceMatch(SequenceRule Rule, IReadOnlyList<Signal> Steps);

/// <summary>
/// Tracks partial matches of sequence rules. A signal may advance partial matches (when it
/// matches the next step and joins an earlier one) and may start new ones. Partial matches are
/// grouped by the step they wait for, so a signal only visits the groups it could advance.
/// They expire with their rule's window; their number is capped per rule, evictions counted.
/// </summary>
public sealed class SequenceMatcher
{
    private readonly IReadOnlyList<SequenceRule> _rules;
    private readonly int _maxPartialsPerRule;
    private readonly RuleProgress[] _progress;
    private readonly List<SequenceMatch> _completed = [];
    private readonly StepCondition[] _anyTypeConditions;
    private readonly FrozenDictionary<string, StepCondition[]> _conditionsByType;
    private VigilEvent? _judged; // the plain event the progresses' step matches were last worked out for
    private bool _judgedAny;

    public SequenceMatcher(IReadOnlyList<SequenceRule> rules, int maxPartialsPerRule = 1024)
    {
        _rules = rules;
        _maxPartialsPerRule = maxPartialsPerRule;
        _progress = [.. rules.Select(r => new RuleProgress(r))];
        // As the rule set does for rules: an event meets only the step conditions its type can satisfy.
        var all = new List<StepCondition>();
        foreach (RuleProgress progress in _progress)
        {
            for (int k = 0; k < progress.Rule.Steps.Count; k++)
            {
                if (progress.Rule.Steps[k] is { EventCondition: { } condition } step)
                {
                    all.Add(new StepCondition(progress, k, condition, step.EventTypes));
                }
            }
        }
        _anyTypeConditions = [.. all.Where(c => c.Types is null)];
        _conditionsByType = all
            .SelectMany(c => c.Types ?? Enumerable.Empty<string>())
            .Distinct(StringComparer.Ordinal)
            .ToFrozenDictionary(type => type, type => all.Where(c => c.Types is null || c.Types.Contains(type)).ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<SequenceRule> Rules => _rules;

    public long Evicted { get; private set; }

    public int PartialCount => _progress.Sum(p => p.Count);

    /// <summary>Whether any rule has a step that could take this signal.</summary>
    public bool Wants(Signal s) => Match(s);

    /// <summary>
    /// Whether this plain event could start a sequence or advance a partial match: checked before a
    /// signal is built for it. A connect that only a later step takes, with no partial waiting
    /// there, is not wanted.
    /// </summary>
    public bool WantsEvent(VigilEvent e)
    {
        if (!Judge(e))
        {
            return false;
        }
        foreach (RuleProgress progress in _progress)
        {
            bool[] matches = progress.Matches;
            if (matches[0])
            {
                return true;
            }
            for (int next = 1; next < matches.Length; next++)
            {
                if (progress.HasWaiting(next) && Reachable(progress.Rule, matches, next))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>The sequences the signal completes (usually none); the list is reused by the next call.</summary>
    public IReadOnlyList<SequenceMatch> Observe(Signal s)
    {
        _completed.Clear();
        if (!Match(s))
        {
            return _completed;
        }
        foreach (RuleProgress progress in _progress)
        {
            SequenceRule rule = progress.Rule;
            bool[] matches = progress.Matches;
            if (Array.IndexOf(matches, true) < 0)
            {
                continue;
            }
            bool advanced = false;
            for (int next = rule.Steps.Count - 1; next >= 1; next--)
            {
                if (!Reachable(rule, matches, next))
                {
                    continue;
                }
                foreach (Partial p in progress.Waiting(next, s))
                {
                    if (p.Dead || s.Time - p.Started > rule.Within || p.StepFor(s, matches) is not int step)
                    {
                        continue;
                    }
                    advanced = true;
                    progress.Remove(p); // before advancing: where it is filed depends on its state
                    p.Advance(s, step);
                    if (p.IsComplete)
                    {
                        _completed.Add(new SequenceMatch(rule, p.Matched));
                    }
                    else
                    {
                        Keep(progress, p);
                    }
                }
            }
            if (!advanced && Partial.TryStart(rule, s, matches) is { } started)
            {
                if (started.IsComplete)
                {
                    _completed.Add(new SequenceMatch(rule, started.Matched));
                }
                else
                {
                    Keep(progress, started);
                }
            }
        }
        return _completed;
    }

    /// <summary>
    /// Works out which steps of each rule take the signal, into each progress's matches. A plain
    /// event's step conditions run once however often it is asked about (wanted, then observed).
    /// </summary>
    private bool Match(Signal s)
    {
        if (s.Kind == SignalKind.Event)
        {
            return s.Event is { } e && Judge(e);
        }
        _judged = null;
        bool any = false;
        foreach (RuleProgress progress in _progress)
        {
            for (int k = 0; k < progress.Matches.Length; k++)
            {
                any |= progress.Matches[k] = progress.Rule.Steps[k].Findings.Contains(s.Name);
            }
        }
        return any;
    }

    private bool Judge(VigilEvent e)
    {
        if (ReferenceEquals(e, _judged))
        {
            return _judgedAny;
        }
        foreach (RuleProgress progress in _progress)
        {
            Array.Clear(progress.Matches);
        }
        bool any = false;
        foreach (StepCondition c in _conditionsByType.TryGetValue(EventTypeIndex.TypeOf(e), out StepCondition[]? typed) ? typed : _anyTypeConditions)
        {
            if (c.Condition(e))
            {
                c.Progress.Matches[c.Step] = true;
                any = true;
            }
        }
        (_judged, _judgedAny) = (e, any);
        return any;
    }

    /// <summary>Drops partial matches older than their rule's window (called as time passes).</summary>
    public void Expire(DateTime now)
    {
        foreach (RuleProgress progress in _progress)
        {
            progress.Expire(now - progress.Rule.Within);
        }
    }

    /// <summary>Whether a partial waiting for step <paramref name="next"/> could take a signal matching <paramref name="matches"/>.</summary>
    private static bool Reachable(SequenceRule rule, bool[] matches, int next)
    {
        for (int k = next; k < rule.Steps.Count; k++)
        {
            if (matches[k])
            {
                return true;
            }
            if (!rule.Steps[k].Optional)
            {
                return false;
            }
        }
        return false;
    }

    private void Keep(RuleProgress progress, Partial p)
    {
        if (progress.Count >= _maxPartialsPerRule)
        {
            progress.EvictOldest();
            Evicted++;
        }
        progress.Add(p);
    }

    /// <summary>
    /// The partial matches of one rule, grouped by the step they wait for, oldest first. Where that
    /// step joins by process or session, they are also indexed by the exec ids a later signal must
    /// share (its own process or an ancestor), so a signal meets only the partials it could advance.
    /// </summary>
    private sealed class RuleProgress(SequenceRule rule)
    {
        private readonly List<Partial>[] _byNext = [.. rule.Steps.Select(_ => new List<Partial>())];
        private readonly Dictionary<ExecId, List<Partial>>[] _byProcess = [.. rule.Steps.Select(_ => new Dictionary<ExecId, List<Partial>>())];
        private readonly List<Partial> _found = [];
        private readonly List<ExecId> _keys = [];

        public SequenceRule Rule { get; } = rule;

        /// <summary>Which steps take the signal being observed (filled by the matcher, one slot per step).</summary>
        public bool[] Matches { get; } = new bool[rule.Steps.Count];

        public int Count { get; private set; }

        public void Add(Partial p)
        {
            p.Dead = false;
            _byNext[p.Next].Add(p);
            Count++;
            if (IndexedByProcess(p.Next))
            {
                foreach (ExecId key in Keys(p))
                {
                    ref List<Partial>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_byProcess[p.Next], key, out _);
                    (list ??= []).Add(p);
                }
            }
        }

        public void Remove(Partial p)
        {
            p.Dead = true;
            Count--;
            _byNext[p.Next].Remove(p);
            if (IndexedByProcess(p.Next))
            {
                foreach (ExecId key in Keys(p))
                {
                    if (_byProcess[p.Next].TryGetValue(key, out List<Partial>? list) && list.Remove(p) && list.Count == 0)
                    {
                        _byProcess[p.Next].Remove(key);
                    }
                }
            }
        }

        public bool HasWaiting(int next) => _byNext[next].Count > 0;

        /// <summary>Partials waiting for step <paramref name="next"/> that the signal could join (a snapshot: the caller may move them).</summary>
        public List<Partial> Waiting(int next, Signal s)
        {
            _found.Clear();
            if (!IndexedByProcess(next))
            {
                _found.AddRange(_byNext[next]);
                return _found;
            }
            Dictionary<ExecId, List<Partial>> index = _byProcess[next];
            void Collect(ExecId key)
            {
                if (index.TryGetValue(key, out List<Partial>? list))
                {
                    foreach (Partial p in list)
                    {
                        if (!_found.Contains(p))
                        {
                            _found.Add(p);
                        }
                    }
                }
            }
            Collect(s.Entities.Process);
            for (int i = 0; i < s.Entities.Ancestors.Count; i++)
            {
                Collect(s.Entities.Ancestors[i]);
            }
            return _found;
        }

        public void EvictOldest()
        {
            List<Partial> largest = _byNext[0];
            foreach (List<Partial> group in _byNext)
            {
                if (group.Count > largest.Count)
                {
                    largest = group;
                }
            }
            Remove(largest[0]);
        }

        public void Expire(DateTime cutoff)
        {
            foreach (List<Partial> group in _byNext)
            {
                while (group.Count > 0 && group[0].Started < cutoff)
                {
                    Remove(group[0]);
                }
            }
        }

        /// <summary>Whether every step a partial waiting at <paramref name="next"/> may take next joins by process or session.</summary>
        private bool IndexedByProcess(int next)
        {
            for (int k = next; k < Rule.Steps.Count; k++)
            {
                if (Rule.Steps[k].Join is not (StepJoin.Process or StepJoin.Session))
                {
                    return false;
                }
                if (!Rule.Steps[k].Optional)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The exec ids a joining signal must have as its process or an ancestor: each step's process, and its parent for sessions (a reused list).</summary>
        private List<ExecId> Keys(Partial p)
        {
            _keys.Clear();
            foreach (Signal m in p.Matched)
            {
                AddKey(m.Entities.Process);
                if (CausalLinker.SharedParent(m.Entities) is { } parent)
                {
                    AddKey(parent);
                }
            }
            return _keys;

            void AddKey(ExecId id)
            {
                if (!id.IsEmpty && !_keys.Contains(id))
                {
                    _keys.Add(id);
                }
            }
        }
    }

    /// <summary>A step's event condition, with the evt.type values it can match (null: any).</summary>
    private sealed record StepCondition(RuleProgress Progress, int Step, Func<VigilEvent, bool> Condition, IReadOnlySet<string>? Types);

    private sealed class Partial(SequenceRule rule, DateTime started)
    {
        public int Next { get; private set; }

        /// <summary>Not filed (advanced, expired or evicted) while a snapshot still held it.</summary>
        public bool Dead { get; set; }

        public DateTime Started { get; } = started;

        public List<Signal> Matched { get; } = [];

        public bool IsComplete
        {
            get
            {
                for (int k = Next; k < rule.Steps.Count; k++)
                {
                    if (!rule.Steps[k].Optional)
                    {
                        return false;
                    }
                }
                return true;
            }
        }

        public static Partial? TryStart(SequenceRule rule, Signal s, bool[] matches)
        {
            if (FirstStep(rule, matches) is not int step)
            {
                return null; // most signals a rule takes only advance it: nothing allocated for them
            }
            var p = new Partial(rule, s.Time);
            p.Advance(s, step);
            return p;
        }

        /// <summary>The step the signal would take (joined to an earlier step): the next one, or a later one when the steps between are optional.</summary>
        public int? StepFor(Signal s, bool[] matches)
        {
            for (int k = Next; k < rule.Steps.Count; k++)
            {
                SequenceStep step = rule.Steps[k];
                if (matches[k] && s.Id != Matched[^1].Id && Joins(step.Join, s))
                {
                    return k;
                }
                if (!step.Optional)
                {
                    return null;
                }
            }
            return null;
        }

        /// <summary>The step a match would start at: the first one, or a later one when the steps before it are optional.</summary>
        private static int? FirstStep(SequenceRule rule, bool[] matches)
        {
            for (int k = 0; k < rule.Steps.Count; k++)
            {
                if (matches[k])
                {
                    return k;
                }
                if (!rule.Steps[k].Optional)
                {
                    return null;
                }
            }
            return null;
        }

        public void Advance(Signal s, int step)
        {
            Matched.Add(s);
            Next = step + 1;
        }

        /// <summary>A step joins the sequence when it shares the entity with any earlier step (a shell's child calling out, then the shell persisting).</summary>
        private bool Joins(StepJoin join, Signal s)
        {
            foreach (Signal m in Matched)
            {
                if (StepJoins.Holds(join, m.Entities, s.Entities))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
