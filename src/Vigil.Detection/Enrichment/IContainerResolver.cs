namespace Vigil.Detection.Enrichment;

/// <summary>
/// Maps a cgroup id to the container it belongs to. The enrichment work fills this from the
/// container runtime; until then <see cref="HostOnlyContainerResolver"/> reports every process as on the host.
/// </summary>
public interface IContainerResolver
{
    ContainerInfo Resolve(ulong cgroupId);
}

/// <summary>What the container fields read. Host processes get <see cref="Host"/>, as in Falco.</summary>
public sealed record ContainerInfo(string Id, string Name, string? ImageRepository, bool? Privileged)
{
    public static ContainerInfo Host { get; } = new("host", "host", null, null);
}

public sealed class HostOnlyContainerResolver : IContainerResolver
{
    public ContainerInfo Resolve(ulong cgroupId) => ContainerInfo.Host;
}
