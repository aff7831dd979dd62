using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Correlation.Sequences;

/// <summary>Step conditions in the detection rule language, with the loaded rule files' macros and lists.</summary>
public sealed class RuleLanguageConditions(ConditionFactory factory) : IStepConditionCompiler
{
    public Func<VigilEvent, bool> Compile(string condition)
    {
        try
        {
            return factory.Compile(condition);
        }
        catch (RuleException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    public IReadOnlySet<string>? EventTypes(string condition) => factory.EventTypes(condition);
}
