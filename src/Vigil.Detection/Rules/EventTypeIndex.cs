using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// Works out which evt.type values a condition can match, so the rule set only runs a rule on
/// events of those types. Conservative: whatever cannot be proven restricted (a negation, a
/// branch without evt.type) means "any type".
/// </summary>
public static class EventTypeIndex
{
    /// <summary>An event's evt.type value: what the sets below are matched against.</summary>
    public static string TypeOf(VigilEvent e) => EventFields.TypeOf(e);

    /// <summary>The evt.type values the condition requires, or null when it may match any type.</summary>
    public static IReadOnlySet<string>? RequiredTypes(ConditionNode node) => node switch
    {
        AndNode and => Intersect(RequiredTypes(and.Left), RequiredTypes(and.Right)),
        OrNode or => Union(RequiredTypes(or.Left), RequiredTypes(or.Right)),
        CheckNode { Field: { Name: "evt.type", Argument: null }, Operator: CompareOperator.Equal, Operand: { } operand } => operand.Values.Select(v => v.Text).ToHashSet(StringComparer.Ordinal),
        CheckNode { Field: { Name: "evt.type", Argument: null }, Operator: CompareOperator.In, Operand: { } operand } => operand.Values.Select(v => v.Text).ToHashSet(StringComparer.Ordinal),
        _ => null,
    };

    private static HashSet<string>? Intersect(IReadOnlySet<string>? left, IReadOnlySet<string>? right)
    {
        if (left is null || right is null)
        {
            return (left ?? right)?.ToHashSet(StringComparer.Ordinal);
        }
        return left.Where(right.Contains).ToHashSet(StringComparer.Ordinal);
    }

    private static HashSet<string>? Union(IReadOnlySet<string>? left, IReadOnlySet<string>? right) =>
        left is null || right is null ? null : left.Concat(right).ToHashSet(StringComparer.Ordinal);
}
