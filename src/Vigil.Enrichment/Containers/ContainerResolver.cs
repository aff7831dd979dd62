using Vigil.Events;

namespace Vigil.Enrichment.Containers;

/// <summary>Cgroup id to container, cached: a cgroup's attribution never changes while it exists.</summary>
public sealed class ContainerResolver(CgroupDirectory cgroups, int capacity = 16384)
{
    private readonly Dictionary<ulong, ContainerInfo> _cache = [];
    private readonly Lock _lock = new();

    /// <summary>The container of a cgroup, or null when the cgroup is gone and was never seen (not guessed).</summary>
    public ContainerInfo? Resolve(ulong cgroupId)
    {
        lock (_lock)
        {
            if (_cache.TryGetValue(cgroupId, out ContainerInfo? known))
            {
                return known;
            }
        }
        if (cgroups.PathOf(cgroupId) is not { } path)
        {
            return null;
        }
        ContainerInfo info = CgroupPathParser.Parse(path);
        lock (_lock)
        {
            if (_cache.Count >= capacity)
            {
                _cache.Clear(); // cgroups come and go; a full cache is mostly dead ones
            }
            _cache[cgroupId] = info;
        }
        return info;
    }
}
