namespace Vigil.Detection.Rules;

/// <summary>An active rule: its condition as a delegate, its output template and the fields it reads.</summary>
public sealed class CompiledRule
{
    private readonly (string Name, Func<EventContext, string> Render)[] _fieldRenderers;

    public CompiledRule(MergedRule rule, RulePriority priority, Func<EventContext, bool> condition, OutputTemplate output, IEnumerable<FieldReference> usedFields, IReadOnlySet<string>? eventTypes, FieldRegistry fields)
    {
        Name = rule.Name;
        Location = rule.Location;
        Priority = priority;
        Tags = rule.Tags;
        Condition = condition;
        Output = output;
        EventTypes = eventTypes;
        _fieldRenderers = usedFields
            .Concat(output.Fields)
            .DistinctBy(f => f.ToString())
            .Select(f => (f.ToString(), FieldRenderer.Compile(f, fields)))
            .ToArray();
    }

    public string Name { get; }

    public SourceLocation Location { get; }

    public RulePriority Priority { get; }

    public IReadOnlyList<string> Tags { get; }

    public Func<EventContext, bool> Condition { get; }

    public OutputTemplate Output { get; }

    /// <summary>The evt.type values the condition requires; null when it may match any event.</summary>
    public IReadOnlySet<string>? EventTypes { get; }

    public RuleDetection Detect(EventContext context) => new(
        Name,
        Priority,
        Tags,
        Output.Render(context),
        _fieldRenderers.Select(f => KeyValuePair.Create(f.Name, f.Render(context))).ToList(),
        context.Event,
        context.Number);
}
