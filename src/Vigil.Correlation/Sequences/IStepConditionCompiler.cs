using Vigil.Events;

namespace Vigil.Correlation.Sequences;

/// <summary>
/// Compiles a step condition written in the detection rule language (Falco's) into a predicate.
/// Throws <see cref="FormatException"/> with the reason when the condition is invalid.
/// </summary>
public interface IStepConditionCompiler
{
    Func<VigilEvent, bool> Compile(string condition);

    /// <summary>The evt.type values a compiled condition can match, or null when it may match any: the matcher runs a condition only on events of its types.</summary>
    IReadOnlySet<string>? EventTypes(string condition) => null;
}
