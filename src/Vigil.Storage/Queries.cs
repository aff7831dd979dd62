namespace Vigil.Storage;

/// <summary>Filters of <see cref="EdgeStore.Events"/>; null means "any". The newest <see cref="Limit"/> matches come back, oldest first.</summary>
public sealed record EventQuery
{
    public DateTime? Since { get; init; }

    public DateTime? Until { get; init; }

    /// <summary>An event name (process.exec), a family (process, file, network, privilege, xdp) or a last part (exec, openat, connect).</summary>
    public string? Type { get; init; }

    /// <summary>A container id or a prefix of one (the 12-character short id).</summary>
    public string? Container { get; init; }

    /// <summary>The process name (process.name, the kernel's comm).</summary>
    public string? ProcessName { get; init; }

    public string? ExecId { get; init; }

    public uint? Pid { get; init; }

    public int Limit { get; init; } = 1000;
}

/// <summary>Filters of <see cref="EdgeStore.Detections"/>.</summary>
public sealed record DetectionQuery
{
    public DateTime? Since { get; init; }

    public string? Rule { get; init; }

    /// <summary>Only detections at least this severe.</summary>
    public Vigil.Detection.Rules.RulePriority? MinPriority { get; init; }

    public string? Container { get; init; }

    public string? ExecId { get; init; }

    public int Limit { get; init; } = 1000;
}

/// <summary>How <see cref="EdgeStore.Flows"/> ranks flows.</summary>
public enum StoredFlowOrder
{
    Bytes,
    Sent,
    Received,
    Connections,
    Recent,
}
