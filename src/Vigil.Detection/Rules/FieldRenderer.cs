using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace Vigil.Detection.Rules;

/// <summary>Compiles a field reference into a function producing its value as text, for outputs and detections.</summary>
public static class FieldRenderer
{
    // Rules name the same few fields in most conditions and outputs: each field is compiled once per
    // registry, not once per rule and output (Falco's rules asked for 638 compiles, about 2 s of the
    // agent's start).
    private static readonly ConditionalWeakTable<FieldRegistry, ConcurrentDictionary<FieldReference, Func<EventContext, string>>> Compiled = new();

    /// <summary>Unsupported fields render as Falco's <c>&lt;NA&gt;</c>; unknown fields are errors.</summary>
    public static Func<EventContext, string> Compile(FieldReference reference, FieldRegistry fields) =>
        Compiled.GetOrCreateValue(fields).GetOrAdd(reference, static (r, f) => Build(r, f), fields);

    private static Func<EventContext, string> Build(FieldReference reference, FieldRegistry fields)
    {
        FieldDefinition field;
        try
        {
            field = fields.Resolve(reference);
        }
        catch (RuleException e) when (e.Kind == RuleProblemKind.Unsupported)
        {
            return static _ => FieldValues.Missing;
        }
        ParameterExpression context = Expression.Parameter(typeof(EventContext), "context");
        Expression? index = field.Shape switch
        {
            FieldShape.Scalar => null,
            // A bare multi-valued field renders its first value: the parent for proc.aname.
            _ => Expression.Constant(reference.Argument is { } a ? int.Parse(a, System.Globalization.CultureInfo.InvariantCulture) : field.Shape == FieldShape.AncestorIndexed ? 1 : 0),
        };
        Expression value = ConditionCompiler.Read(field, context, index);
        Expression text = Expression.Call(typeof(FieldValues), nameof(FieldValues.Format), null, value);
        return Expression.Lambda<Func<EventContext, string>>(text, context).Compile();
    }
}
