using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// The one argument of every compiled condition: the event being evaluated, its sequence number,
/// the per-event state the trackers computed for it, and lazily built text values. One context
/// per evaluating thread, reset for each event, so evaluation allocates nothing.
/// </summary>
public sealed class EventContext(RuleEnvironment environment)
{
    public RuleEnvironment Environment { get; } = environment;

    public VigilEvent Event { get; private set; } = null!;

    /// <summary>Falco's evt.num: the event's position in the stream, from 1.</summary>
    public long Number { get; private set; }

    /// <summary>vigil.first_connect: set by <see cref="State.FirstConnectTracker"/> for outbound connections.</summary>
    public bool? FirstConnect { get; internal set; }

    /// <summary>vigil.exe_written_age: milliseconds since the executed binary was last written.</summary>
    public long? ExeWrittenAgeMs { get; internal set; }

    internal TextBuffer CommandLine { get; } = new();
    internal TextBuffer Arguments { get; } = new();
    internal TextBuffer ParentCommandLine { get; } = new();
    internal TextBuffer FdName { get; } = new();
    internal TextBuffer Time { get; } = new();

    public void Reset(VigilEvent e, long number)
    {
        Event = e;
        Number = number;
        FirstConnect = null;
        ExeWrittenAgeMs = null;
        CommandLine.Invalidate();
        Arguments.Invalidate();
        ParentCommandLine.Invalidate();
        FdName.Invalidate();
        Time.Invalidate();
    }
}
