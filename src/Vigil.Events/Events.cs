namespace Vigil.Events;

public enum EventKind
{
    Exec,
    Fork,
    Exit,
    File,
    Network,
    Privilege,
    Guard,
    Sensor,
}

/// <summary>An event a sensor decoded from the kernel.</summary>
public abstract class VigilEvent
{
    public abstract EventKind Kind { get; }

    /// <summary>Wall-clock time of the event, converted from the kernel's boot clock.</summary>
    public required DateTime Timestamp { get; init; }

    public required ProcessIdentity Process { get; init; }

    /// <summary>Filled by enrichment: the cached view of the acting process, with its ancestry.</summary>
    public ProcessInfo? Context { get; set; }

    /// <summary>For events judged by policies in the kernel: the generation and the rules that matched.</summary>
    public PolicyMatch? Policy { get; init; }
}

public sealed class ProcessExecEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Exec;
    public required string Binary { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required bool ArgsTruncated { get; init; }
    public ExecDetails Details { get; init; } = new();
}

public sealed class ProcessForkEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Fork;
    public required uint ChildPid { get; init; }
    public required ExecId ChildExecId { get; init; }
}

public sealed class ProcessExitEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Exit;
    public required uint ExitCode { get; init; }
    public required uint Signal { get; init; }
    public required bool CoreDumped { get; init; }
}

/// <summary>Where decoded events go next.</summary>
public interface IEventSink
{
    void Publish(VigilEvent e);
}
