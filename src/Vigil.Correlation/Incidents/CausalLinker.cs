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
    public static CausalEdge? Link(Signal earlier, Signal later)
    {
        Entities a = earlier.Entities, b = later.Entities;
        CausalEdge? best = null;
        void Consider(EdgeReason reason, double strength, string detail)
        {
            if (best is null || strength > best.Strength)
            {
                best = new CausalEdge(earlier.Id, later.Id, reason, strength, detail);
            }
        }
        if (!a.Process.IsEmpty && a.Process == b.Process)
        {
            Consider(EdgeReason.SameProcess, SameProcess, $"same process {a.Binary} ({a.Process})");
        }
        else if (!a.Process.IsEmpty)
        {
            for (int generation = 0; generation < b.Ancestors.Count; generation++)
            {
                if (b.Ancestors[generation] == a.Process)
                {
                    Consider(EdgeReason.Descendant, Math.Pow(DescendantPerGeneration, generation + 1),
                        $"{b.Binary} descends from {a.Binary} ({generation + 1} generation{(generation == 0 ? "" : "s")})");
                    break;
                }
            }
        }
        if (SharedParent(a) is { } parent && SharedParent(b) == parent && a.Process != b.Process)
        {
            Consider(EdgeReason.Sibling, Sibling, $"{a.Binary} and {b.Binary} share the parent {parent}");
        }
        if (a.FileWritten && a.File is not null && a.File == b.File && !ReferenceEquals(a, b))
        {
            Consider(EdgeReason.FileWrittenThenUsed, FileWrittenThenUsed, $"{a.File} written, then used");
        }
        if (a.RemoteAddress is not null && a.RemoteAddress.Equals(b.RemoteAddress))
        {
            Consider(EdgeReason.SameRemoteAddress, SameRemoteAddress, $"same remote address {a.RemoteAddress}");
        }
        if (a.Container is not null && a.Container == b.Container)
        {
            Consider(EdgeReason.SameContainer, SameContainer, $"same container {a.Container[..Math.Min(12, a.Container.Length)]}");
        }
        return best;
    }

    /// <summary>The parent, unless it is init: everything descends from init, so it links nothing.</summary>
    public static ExecId? SharedParent(Entities e) =>
        e.Ancestors.Count > 0 && e.Ancestors[0].Pid > 1 ? e.Ancestors[0] : null;
}
