using Vigil.Correlation.Signals;
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
public sealed class SequenceMatcher(IReadOnlyList<SequenceRule> rules, int maxPartialsPerRule = 1024)
{
    private readonly RuleProgress[] _progress = [.. rules.Select(r => new RuleProgress(r))];
    private readonly Func<VigilEvent, bool>[] _eventConditions = [.. rules.SelectMany(r => r.Steps).Select(s => s.EventCondition).OfType<Func<VigilEvent, bool>>()];

    public IReadOnlyList<SequenceRule> Rules => rules;

    public long Evicted { get; private set; }

    public int PartialCount => _progress.Sum(p => p.Count);

    /// <summary>Whether any rule has a step that could take this signal.</summary>
    public bool Wants(Signal s) => rules.Any(r => r.Steps.Any(step => step.Matches(s)));

    /// <summary>Whether any step's condition takes this plain event: checked before a signal is built for it.</summary>
    public bool WantsEvent(VigilEvent e)
    {
        foreach (Func<VigilEvent, bool> condition in _eventConditions)
        {
            if (condition(e))
            {
                return true;
            }
        }
        return false;
    }

    public List<SequenceMatch> Observe(Signal s)
    {
        var completed = new List<SequenceMatch>();
        foreach (RuleProgress progress in _progress)
        {
            SequenceRule rule = progress.Rule;
            // Which steps take this signal is decided once per rule, not once per partial match.
            bool[] matches = [.. rule.Steps.Select(step => step.Matches(s))];
            if (!matches.Contains(true))
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
                List<Partial> waiting = progress.ByNext[next];
                progress.Count -= waiting.RemoveAll(p => s.Time - p.Started > rule.Within);
                for (int i = waiting.Count - 1; i >= 0; i--)
                {
                    Partial p = waiting[i];
                    if (!p.TryAdvance(s, matches))
                    {
                        continue;
                    }
                    advanced = true;
                    waiting.RemoveAt(i);
                    progress.Count--;
                    if (p.IsComplete)
                    {
                        completed.Add(new SequenceMatch(rule, p.Matched));
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
                    completed.Add(new SequenceMatch(rule, started.Matched));
                }
                else
                {
                    Keep(progress, started);
                }
            }
        }
        return completed;
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
        if (progress.Count >= maxPartialsPerRule)
        {
            // The oldest of the largest group goes: it is the least likely to complete in time.
            List<Partial> largest = progress.ByNext.MaxBy(g => g.Count)!;
            largest.RemoveAt(0);
            progress.Count--;
            Evicted++;
        }
        progress.ByNext[p.Next].Add(p);
        progress.Count++;
    }

    private sealed class RuleProgress(SequenceRule rule)
    {
        public SequenceRule Rule { get; } = rule;

        /// <summary>Partial matches by the index of the step they wait for, oldest first.</summary>
        public List<Partial>[] ByNext { get; } = [.. rule.Steps.Select(_ => new List<Partial>())];

        public int Count { get; set; }
    }

    private sealed class Partial(SequenceRule rule, DateTime started)
    {
        public int Next { get; private set; }

        public DateTime Started { get; } = started;

        public List<Signal> Matched { get; } = [];

        public bool IsComplete => rule.Steps.Skip(Next).All(s => s.Optional);

        public static Partial? TryStart(SequenceRule rule, Signal s, bool[] matches)
        {
            var p = new Partial(rule, s.Time);
            return p.TryAdvance(s, matches) ? p : null;
        }

        /// <summary>Takes the signal as the next step, or as a later one when the steps between are optional.</summary>
        public bool TryAdvance(Signal s, bool[] matches)
        {
            for (int k = Next; k < rule.Steps.Count; k++)
            {
                SequenceStep step = rule.Steps[k];
                if (matches[k] && (Matched.Count == 0 || (s.Id != Matched[^1].Id && Joins(step.Join, s))))
                {
                    Matched.Add(s);
                    Next = k + 1;
                    return true;
                }
                if (!step.Optional)
                {
                    return false;
                }
            }
            return false;
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
