using System.Collections.Frozen;
using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// The active rules, indexed by the evt.type values they require, so an event only meets the
/// rules that could match it. Evaluating an event that matches nothing allocates nothing.
/// </summary>
public sealed class RuleSet
{
    private readonly FrozenDictionary<string, CompiledRule[]> _byType;
    private readonly CompiledRule[] _anyType;
    private long _nextNumber;

    public RuleSet(IReadOnlyList<CompiledRule> rules, RuleEnvironment environment)
    {
        Rules = rules;
        Environment = environment;
        _anyType = rules.Where(r => r.EventTypes is null).ToArray();
        // Each type's array keeps the load order of rules, type-specific and type-agnostic together.
        _byType = rules
            .SelectMany(r => r.EventTypes ?? Enumerable.Empty<string>())
            .Distinct(StringComparer.Ordinal)
            .ToFrozenDictionary(
                type => type,
                type => rules.Where(r => r.EventTypes is null || r.EventTypes.Contains(type)).ToArray(),
                StringComparer.Ordinal);
    }

    public IReadOnlyList<CompiledRule> Rules { get; }

    public RuleEnvironment Environment { get; }

    /// <summary>Evaluates the event in <paramref name="context"/>, adding a detection per matching rule.</summary>
    public void Evaluate(EventContext context, List<RuleDetection> detections)
    {
        Environment.Observe(context);
        CompiledRule[] candidates = _byType.TryGetValue(EventFields.TypeOf(context.Event), out CompiledRule[]? typed) ? typed : _anyType;
        foreach (CompiledRule rule in candidates)
        {
            if (rule.Condition(context))
            {
                detections.Add(rule.Detect(context));
            }
        }
    }

    /// <summary>Convenience for single events (tests, tools): numbers the event and returns its detections.</summary>
    public List<RuleDetection> Evaluate(VigilEvent e)
    {
        var context = new EventContext(Environment);
        context.Reset(e, Interlocked.Increment(ref _nextNumber));
        var detections = new List<RuleDetection>();
        Evaluate(context, detections);
        return detections;
    }
}
