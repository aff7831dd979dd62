namespace Vigil.Policy;

/// <summary>Where in a policy file something is: 1-based line and column.</summary>
public readonly record struct PolicyLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>One thing wrong with a policy, and where.</summary>
public sealed record PolicyProblem(PolicyLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>A policy (or a set of them) that cannot be put in force; nothing of it was applied.</summary>
public sealed class PolicyException : Exception
{
    public PolicyException(IReadOnlyList<PolicyProblem> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    public PolicyException(PolicyLocation location, string message)
        : this([new PolicyProblem(location, message)])
    {
    }

    public PolicyException()
        : this([])
    {
    }

    public PolicyException(string message)
        : base(message)
    {
        Problems = [];
    }

    public PolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    public IReadOnlyList<PolicyProblem> Problems { get; }
}
