using System.Text.RegularExpressions;
using Vigil.Events;

namespace Vigil.Enrichment.Containers;

/// <summary>
/// Reads container attribution from a cgroup v2 path, as the runtimes name their cgroups with
/// the systemd and the cgroupfs drivers:
/// docker-ID.scope, /docker/ID; cri-containerd-ID.scope; crio-ID.scope; libpod-ID.scope,
/// /libpod_parent/libpod-ID; machine-NAME.scope (systemd-nspawn); kubepods[-QOS][-podUID] slices
/// or /kubepods/QOS/podUID/ID. Anything else is the host, with its systemd unit when there is one.
/// </summary>
public static partial class CgroupPathParser
{
    public static ContainerInfo Parse(string path)
    {
        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        (string? podUid, PodQosClass qos) = Pod(segments);
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            if (Container(segments, i, podUid is not null) is { } found)
            {
                return new ContainerInfo
                {
                    Runtime = found.Runtime,
                    Id = found.Id,
                    Name = found.Runtime == ContainerRuntime.SystemdNspawn ? found.Id : null,
                    CgroupPath = path,
                    PodUid = podUid,
                    QosClass = qos,
                };
            }
        }
        string? unit = segments.LastOrDefault(s => s.EndsWith(".service", StringComparison.Ordinal) || s.EndsWith(".scope", StringComparison.Ordinal));
        return segments.Length == 0 ? ContainerInfo.Host : ContainerInfo.Host with { CgroupPath = path, Unit = unit };
    }

    private static (ContainerRuntime Runtime, string Id)? Container(string[] segments, int i, bool inPod)
    {
        string s = segments[i];
        Match scope = ScopeRegex().Match(s);
        if (scope.Success)
        {
            string id = scope.Groups["id"].Value;
            return scope.Groups["prefix"].Value switch
            {
                "docker" => (ContainerRuntime.Docker, id),
                "cri-containerd" => (ContainerRuntime.Containerd, id),
                "crio" => (ContainerRuntime.CriO, id),
                "libpod" => (ContainerRuntime.Podman, id),
                _ => null,
            };
        }
        Match machine = MachineRegex().Match(s);
        if (machine.Success && i > 0 && segments[i - 1] == "machine.slice")
        {
            // systemd escapes '-' in unit names as \x2d.
            return (ContainerRuntime.SystemdNspawn, machine.Groups["name"].Value.Replace("\\x2d", "-", StringComparison.Ordinal));
        }
        if (IdRegex().IsMatch(s) && i > 0)
        {
            if (segments[i - 1] == "docker")
            {
                return (ContainerRuntime.Docker, s);
            }
            if (inPod)
            {
                return (ContainerRuntime.Kubernetes, s);
            }
        }
        return null;
    }

    private static (string? PodUid, PodQosClass Qos) Pod(string[] segments)
    {
        int kubepods = Array.FindIndex(segments, s => s is "kubepods" or "kubepods.slice");
        if (kubepods < 0)
        {
            return (null, PodQosClass.None);
        }
        PodQosClass qos = PodQosClass.Guaranteed;
        foreach (string s in segments.Skip(kubepods + 1))
        {
            if (s is "besteffort" or "kubepods-besteffort.slice")
            {
                qos = PodQosClass.BestEffort;
            }
            else if (s is "burstable" or "kubepods-burstable.slice")
            {
                qos = PodQosClass.Burstable;
            }
            Match pod = PodRegex().Match(s);
            if (pod.Success)
            {
                // The systemd driver writes the uid's dashes as underscores.
                return (pod.Groups["uid"].Value.Replace('_', '-'), qos);
            }
        }
        return (null, qos);
    }

    [GeneratedRegex(@"^(?<prefix>docker|cri-containerd|crio|libpod)-(?<id>[0-9a-f]{64})(\.scope)?$")]
    private static partial Regex ScopeRegex();

    [GeneratedRegex(@"^machine-(?<name>.+)\.scope$")]
    private static partial Regex MachineRegex();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex IdRegex();

    [GeneratedRegex(@"^(kubepods(-besteffort|-burstable)?-)?pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(\.slice)?$")]
    private static partial Regex PodRegex();
}
