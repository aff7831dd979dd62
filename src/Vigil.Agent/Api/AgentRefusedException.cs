namespace Vigil.Agent.Api;

/// <summary>The running agent refused a change; <see cref="Problems"/> lists each problem it named (file:line:col: reason).</summary>
public sealed class AgentRefusedException : Exception
{
    public AgentRefusedException(string message, IReadOnlyList<string> problems)
        : base(message)
    {
        Problems = problems;
    }

    public AgentRefusedException()
        : this("the running agent refused", [])
    {
    }

    public AgentRefusedException(string message)
        : this(message, [])
    {
    }

    public AgentRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    public IReadOnlyList<string> Problems { get; }
}
