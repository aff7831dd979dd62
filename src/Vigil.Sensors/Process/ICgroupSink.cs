namespace Vigil.Sensors.Process;

/// <summary>Learns cgroup v2 paths as the kernel creates the cgroups, before any process can run in one.</summary>
public interface ICgroupSink
{
    /// <param name="cgroupId">The id the process sensor's records carry for processes inside it.</param>
    /// <param name="path">From the root of the cgroup2 hierarchy, e.g. "/system.slice/docker-ID.scope".</param>
    void Created(ulong cgroupId, string path);
}
