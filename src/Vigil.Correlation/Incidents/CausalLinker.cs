using Vigil.Correlation.Signals;
using Vigil.Events;

namespace Vigil.Correlation.Incidents;

/// <summary>
/// Decides whether an earlier signal plausibly caused a later one, and how strongly. Strengths are
/// the link weights of the confidence formula (docs/correlation.md).
/// </summary>
public static class CausalLinker
{
    public const double SameProcess = 1.0;
    public const double DescendantPerGeneration = 0.9;
    public const double Sibling = 0.7;
    public const double FileWrittenThenUsed = 0.85;
    public const double SameRemoteAddress = 0.6;
    public const double SameContainer = 0.5;

    /// <summary>The strongest reason linking <paramref name="earlier"/> to <paramref name="later"/>, if any.</summary>
    public static CausalEdge? Link(Signal earlier, Signal later) =>
        Strongest(earlier, later) is var (reason, strength) && strength > 0
            ? new CausalEdge(earlier.Id, later.Id, reason, strength, earlier.Entities, later.Entities)
            : null;

    /// <summary>The strongest reason and its strength (0 when unrelated), without building the edge: the hot path.</summary>
    public static (EdgeReason Reason, double Strength) Strongest(Signal earlier, Signal later)
    {
        Entities a = earlier.Entities, b = later.Entities;
        (EdgeReason Reason, double Strength) best = (EdgeReason.SameProcess, 0);
        void Consider(EdgeReason reason, double strength)
        {
            if (strength > best.Strength)
            {
                best = (reason, strength);
            }
        }
        if (!a.Process.IsEmpty && a.Process == b.Process)
        {
            Consider(EdgeReason.SameProcess, SameProcess);
        }
        else if (!a.Process.IsEmpty && Generation(a.Process, b) is int generation)
        {
            Consider(EdgeReason.Descendant, Math.Pow(DescendantPerGeneration, generation));
        }
        if (a.Process != b.Process && SharedParent(a) is { } parent && SharedParent(b) == parent)
        {
            Consider(EdgeReason.Sibling, Sibling);
        }
        if (a.FileWritten && a.File is not null && a.File == b.File)
        {
            Consider(EdgeReason.FileWrittenThenUsed, FileWrittenThenUsed);
        }
        if (a.RemoteAddress is not null && a.RemoteAddress.Equals(b.RemoteAddress))
        {
            Consider(EdgeReason.SameRemoteAddress, SameRemoteAddress);
        }
        if (a.Container is not null && a.Container == b.Container && earlier.Kind != SignalKind.Event && later.Kind != SignalKind.Event)
        {
            Consider(EdgeReason.SameContainer, SameContainer);
        }
        return best;
    }

    public static string Describe(EdgeReason reason, Entities a, Entities b) => reason switch
    {
        EdgeReason.SameProcess => $"same process {a.Binary} ({a.Process})",
        EdgeReason.Descendant => $"{b.Binary} descends from {a.Binary} ({Generation(a.Process, b)} generation(s))",
        EdgeReason.Sibling => $"{a.Binary} and {b.Binary} share the parent {SharedParent(a)}",
        EdgeReason.FileWrittenThenUsed => $"{a.File} written, then used",
        EdgeReason.SameRemoteAddress => $"same remote address {a.RemoteAddress}",
        EdgeReason.SameContainer => $"same container {a.Container?[..Math.Min(12, a.Container.Length)]}",
        _ => reason.ToString(),
    };

    /// <summary>How many generations below <paramref name="ancestor"/> the process of <paramref name="e"/> is, if it descends from it.</summary>
    private static int? Generation(ExecId ancestor, Entities e)
    {
        for (int i = 0; i < e.Ancestors.Count; i++)
        {
            if (e.Ancestors[i] == ancestor)
            {
                return i + 1;
            }
        }
        return null;
    }

    /// <summary>The parent, unless it is init: everything descends from init, so it links nothing.</summary>
    public static ExecId? SharedParent(Entities e) =>
        e.Ancestors.Count > 0 && e.Ancestors[0].Pid > 1 ? e.Ancestors[0] : null;
}
