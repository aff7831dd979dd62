namespace Vigil.Events;

/// <summary>
/// What the agent knows about a process beyond a single event: its image, arguments and parent,
/// kept by the process cache and attached to events by enrichment.
/// </summary>
public sealed class ProcessInfo
{
    public required ExecId ExecId { get; init; }
    public required uint Pid { get; init; }
    public ExecId ParentExecId { get; set; }
    public uint ParentPid { get; set; }
    public string Binary { get; set; } = "";
    public IReadOnlyList<string> Args { get; set; } = [];
    public string Comm { get; set; } = "";
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    public ulong CgroupId { get; set; }

    /// <summary>Working directory, terminal, capabilities and login at exec; null while unknown.</summary>
    public ExecDetails? Details { get; set; }

    /// <summary>The container (or host) the process runs in; null while unknown.</summary>
    public ContainerInfo? Container { get; set; }
    public DateTime StartTime { get; set; }
    public DateTime? ExitTime { get; set; }

    /// <summary>Where the entry came from: a live exec/fork event, or the /proc walk at start.</summary>
    public ProcessSource Source { get; set; }

    /// <summary>The parent, when it is still cached; null when unknown or evicted.</summary>
    public ProcessInfo? Parent { get; set; }

    public string CommandLine => Args.Count == 0 ? Binary : string.Join(' ', Args);
}

public enum ProcessSource
{
    Exec,
    Fork,
    ProcScan,
}
