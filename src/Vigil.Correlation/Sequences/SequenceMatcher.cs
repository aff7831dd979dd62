using Vigil.Correlation.Signals;
using Vigil.Events;

namespace Vigil.Correlation.Sequences;

/// <summary>A sequence rule that completed: the signals that matched its steps, in order.</summary>
public sealed record SequenceMatch(SequenceRule Rule, IReadOnlyList<Signal> Steps);

/// <summary>
/// Tracks partial matches of sequence rules. A signal may advance partial matches (when it
/// matches the next step and joins the previous one) and may start new ones. Partial matches
/// expire with their rule's window; their number is capped per rule, and evictions are counted.
/// </summary>
public sealed class SequenceMatcher(IReadOnlyList<SequenceRule> rules, int maxPartialsPerRule = 4096)
{
    private readonly Dictionary<SequenceRule, List<Partial>> _partials = rules.ToDictionary(r => r, _ => new List<Partial>());

    public IReadOnlyList<SequenceRule> Rules => rules;

    public long Evicted { get; private set; }

    public int PartialCount => _partials.Values.Sum(p => p.Count);

    private readonly Func<VigilEvent, bool>[] _eventConditions = [.. rules.SelectMany(r => r.Steps).Select(s => s.EventCondition).OfType<Func<VigilEvent, bool>>()];

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
        foreach (SequenceRule rule in rules)
        {
            List<Partial> partials = _partials[rule];
            partials.RemoveAll(p => s.Time - p.Started > rule.Within);
            bool advanced = false;
            foreach (Partial p in partials)
            {
                if (p.TryAdvance(s))
                {
                    advanced = true;
                    if (p.IsComplete)
                    {
                        completed.Add(new SequenceMatch(rule, p.Matched));
                    }
                }
            }
            partials.RemoveAll(p => p.IsComplete);
            if (!advanced && Partial.TryStart(rule, s) is { } started)
            {
                if (started.IsComplete)
                {
                    completed.Add(new SequenceMatch(rule, started.Matched));
                    continue;
                }
                if (partials.Count >= maxPartialsPerRule)
                {
                    partials.RemoveAt(0);
                    Evicted++;
                }
                partials.Add(started);
            }
        }
        return completed;
    }

    private sealed class Partial(SequenceRule rule, DateTime started)
    {
        private int _next;

        public DateTime Started { get; } = started;

        public List<Signal> Matched { get; } = [];

        public bool IsComplete => rule.Steps.Skip(_next).All(s => s.Optional);

        public static Partial? TryStart(SequenceRule rule, Signal s)
        {
            var p = new Partial(rule, s.Time);
            return p.TryAdvance(s) ? p : null;
        }

        /// <summary>A step joins the sequence when it shares the entity with any earlier step (a shell's child calling out, then the shell persisting).</summary>
        private bool Joins(StepJoin join, Signal s) => Matched.Any(m => StepJoins.Holds(join, m.Entities, s.Entities));

        /// <summary>Takes the signal as the next step, or as a later one when the steps between are optional.</summary>
        public bool TryAdvance(Signal s)
        {
            for (int k = _next; k < rule.Steps.Count; k++)
            {
                SequenceStep step = rule.Steps[k];
                if (step.Matches(s) && (Matched.Count == 0 || (s.Id != Matched[^1].Id && Joins(step.Join, s))))
                {
                    Matched.Add(s);
                    _next = k + 1;
                    return true;
                }
                if (!step.Optional)
                {
                    return false;
                }
            }
            return false;
        }
    }
}
