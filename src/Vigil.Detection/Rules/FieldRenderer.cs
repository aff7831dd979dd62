using System.Linq.Expressions;

namespace Vigil.Detection.Rules;

/// <summary>Compiles a field reference into a function producing its value as text, for outputs and detections.</summary>
public static class FieldRenderer
{
    /// <summary>Unsupported fields render as Falco's <c>&lt;NA&gt;</c>; unknown fields are errors.</summary>
    public static Func<EventContext, string> Compile(FieldReference reference, FieldRegistry fields)
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
