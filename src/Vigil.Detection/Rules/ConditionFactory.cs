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
    /// context, so a predicate must not be called from two threads at once.
    /// </summary>
    public Func<VigilEvent, bool> Compile(string condition)
    {
        ConditionNode expanded = Expand(condition);
        ConditionCompiler.Validate(expanded, fields);
        Func<EventContext, bool> compiled = ConditionCompiler.Compile(expanded, fields);
        var context = new EventContext(environment);
        long number = 0;
        return e =>
        {
            context.Reset(e, ++number);
            return compiled(context);
        };
    }

    /// <summary>The evt.type values a valid condition can match, or null when it may match any type (as the rule set indexes rules).</summary>
    public IReadOnlySet<string>? EventTypes(string condition) => EventTypeIndex.RequiredTypes(Expand(condition));

    private ConditionNode Expand(string condition) => expander.Expand(ConditionParser.Parse(condition));
}
