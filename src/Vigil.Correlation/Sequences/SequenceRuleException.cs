namespace Vigil.Correlation.Sequences;

/// <summary>A sequence rule file that cannot be used, with where and why.</summary>
public sealed class SequenceRuleException : Exception
{
    public SequenceRuleException(string file, long line, long column, string message)
        : base($"{file}:{line}:{column}: {message}")
    {
    }

    public SequenceRuleException() { }

    public SequenceRuleException(string message) : base(message) { }

    public SequenceRuleException(string message, Exception inner) : base(message, inner) { }
}
