using Vigil.Detection.Enrichment;
using Vigil.Detection.State;

namespace Vigil.Detection.Rules;

/// <summary>
/// The services fields read beyond the event itself: user resolution and the
/// stateful trackers behind Vigil's own fields. Shared by all evaluating threads, so thread-safe.
/// </summary>
public sealed class RuleEnvironment
{
    public IUserResolver Users { get; init; } = PasswdUserResolver.System;

    public ExecutableWriteTracker ExecutableWrites { get; init; } = new();

    public FirstConnectTracker FirstConnects { get; init; } = new();

    public string HostName { get; init; } = System.Environment.MachineName;

    /// <summary>Lets the trackers learn from the event and record what they know about it in the context.</summary>
    public void Observe(EventContext context)
    {
        ExecutableWrites.Observe(context);
        FirstConnects.Observe(context);
    }
}
