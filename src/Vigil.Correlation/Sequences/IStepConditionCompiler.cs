using Vigil.Events;

namespace Vigil.Correlation.Sequences;

/// <summary>
/// Compiles a step condition written in the detection rule language (Falco's) into a predicate.
/// Throws <see cref="FormatException"/> with the reason when the condition is invalid.
/// </summary>
public interface IStepConditionCompiler
{
    Func<VigilEvent, bool> Compile(string condition);
}
