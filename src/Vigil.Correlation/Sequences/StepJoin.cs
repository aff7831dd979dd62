using Vigil.Correlation.Incidents;
using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Sequences;

/// <summary>How a step must relate to the step before it.</summary>
public enum StepJoin
{
    /// <summary>No shared entity required (the time window still applies).</summary>
    None,
    /// <summary>The same process or one of its descendants.</summary>
    Process,
    /// <summary>The same shell session: the same process, a descendant, or a sibling (same parent, never init).</summary>
    Session,
    /// <summary>The same file (written, then chmod'ed, executed or read).</summary>
    File,
    RemoteAddress,
    Container,
    User,
}

public static class StepJoins
{
    public static bool Holds(StepJoin join, Entities earlier, Entities later) => join switch
    {
        StepJoin.None => true,
        StepJoin.Process => !earlier.Process.IsEmpty && (earlier.Process == later.Process || later.Ancestors.Contains(earlier.Process)),
        StepJoin.Session => Holds(StepJoin.Process, earlier, later)
            || (CausalLinker.SharedParent(earlier) is { } parent && (later.Ancestors.Contains(parent))),
        StepJoin.File => earlier.File is not null && earlier.File == later.File,
        StepJoin.RemoteAddress => earlier.RemoteAddress is not null && earlier.RemoteAddress.Equals(later.RemoteAddress),
        StepJoin.Container => earlier.Container is not null && earlier.Container == later.Container,
        StepJoin.User => earlier.User == later.User,
        _ => false,
    };
}
