using System.Collections.Frozen;
using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// Compiles stand-alone conditions in the rule language, with the macros and lists of the rule files
/// loaded alongside: what other stages (sequence steps of the correlator) use to speak the same language.
/// </summary>
public sealed class ConditionFactory(ConditionExpander expander, FieldRegistry fields, RuleEnvironment environment)
{
    /// <summary>
    /// The condition as a predicate. Throws <see cref="RuleException"/> for a malformed condition, an
    /// unknown macro or field, or a field Vigil cannot fill. Each predicate reuses one evaluation
    /// context, so a predicate must not be called from two threads at once. An event of a type the
    /// condition cannot match is turned away before the context is touched, as the rule set does.
    /// </summary>
    public Func<VigilEvent, bool> Compile(string condition)
    {
        ConditionNode expanded = expander.Expand(ConditionParser.Parse(condition));
        ConditionCompiler.Validate(expanded, fields);
        Func<EventContext, bool> compiled = ConditionCompiler.Compile(expanded, fields);
        FrozenSet<string>? types = EventTypeIndex.RequiredTypes(expanded)?.ToFrozenSet(StringComparer.Ordinal);
        var context = new EventContext(environment);
        long number = 0;
        string? lastType = null; // type names are shared strings (syscall tables), so the answer is kept per instance
        bool lastTypeFits = true;
        return e =>
        {
            if (types is not null)
            {
                string type = EventFields.TypeOf(e);
                if (!ReferenceEquals(type, lastType))
                {
                    (lastType, lastTypeFits) = (type, types.Contains(type));
                }
                if (!lastTypeFits)
                {
                    return false;
                }
            }
            context.Reset(e, ++number);
            return compiled(context);
        };
    }
}
