namespace Vigil.Guard.Rules;

/// <summary>A rule set, rule or CIDR that cannot go to the kernel; nothing of it was applied.</summary>
public sealed class RuleSetException : Exception
{
    public RuleSetException(string message) : base(message) { }

    public RuleSetException(string message, Exception inner) : base(message, inner) { }

    public RuleSetException() { }

    public static RuleSetException From(string source, IReadOnlyList<string> problems) =>
        new($"{source}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
}
