namespace Vigil.Events;

/// <summary>Who runs a cgroup: a container runtime, or the host (then <see cref="Unit"/> names the systemd unit, if any).</summary>
public enum ContainerRuntime
{
    Host,
    Docker,
    Containerd,
    CriO,
    Podman,
    SystemdNspawn,
    /// <summary>A Kubernetes container whose cgroup name does not say which CRI runtime runs it (cgroupfs driver).</summary>
    Kubernetes,
}

public enum PodQosClass
{
    None,
    Guaranteed,
    Burstable,
    BestEffort,
}

/// <summary>The container (or host) a process belongs to, read from its cgroup v2 path.</summary>
public sealed record ContainerInfo
{
    public static ContainerInfo Host { get; } = new() { Runtime = ContainerRuntime.Host, Id = "host", CgroupPath = "/" };

    public required ContainerRuntime Runtime { get; init; }

    /// <summary>Full container id (64 hex digits for OCI runtimes), the machine name for nspawn, "host" for the host.</summary>
    public required string Id { get; init; }

    public required string CgroupPath { get; init; }

    /// <summary>The 12-character id Docker and Falco show; the whole id when shorter. Computed once: rules read it per event.</summary>
    public string ShortId => _shortId ??= Id.Length > 12 && Runtime != ContainerRuntime.SystemdNspawn ? Id[..12] : Id;

    private string? _shortId;

    public string? Name { get; init; }

    public string? PodUid { get; init; }

    public PodQosClass QosClass { get; init; }

    /// <summary>The systemd unit (service or scope) the process runs in, when the path names one.</summary>
    public string? Unit { get; init; }

    public bool IsHost => Runtime == ContainerRuntime.Host;
}
