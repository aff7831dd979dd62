using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

/// <summary>Why one signal is taken to follow from another.</summary>
public enum EdgeReason
{
    /// <summary>Both come from the same process (same exec id).</summary>
    SameProcess,
    /// <summary>The later signal's process descends from the earlier one's.</summary>
    Descendant,
    /// <summary>Both processes are children of the same parent (one shell running several commands).</summary>
    Sibling,
    /// <summary>The earlier signal wrote (or made executable) the file the later one executed or read.</summary>
    FileWrittenThenUsed,
    /// <summary>Both talk to the same remote address.</summary>
    SameRemoteAddress,
    /// <summary>Both run in the same container.</summary>
    SameContainer,
    /// <summary>Consecutive steps of a completed sequence rule.</summary>
    SequenceStep,
}

/// <summary>A causal edge of an incident's chain, with the reason it exists and how strong it is.</summary>
public sealed record CausalEdge(long From, long To, EdgeReason Reason, double Strength)
{
    private readonly (Entities From, Entities To)? _between;
    private string? _detail;

    public CausalEdge(long from, long to, EdgeReason reason, double strength, string detail)
        : this(from, to, reason, strength) => _detail = detail;

    /// <summary>An edge between two signals' entities, described only when read: most edges are never published.</summary>
    internal CausalEdge(long from, long to, EdgeReason reason, double strength, Entities between, Entities and)
        : this(from, to, reason, strength) => _between = (between, and);

    /// <summary>The reason in words, naming the shared entity.</summary>
    public string Detail => _detail ??= _between is var (a, b) ? CausalLinker.Describe(Reason, a, b) : "";
}
