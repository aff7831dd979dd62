using Vigil.Enrichment.Containers;
using Vigil.Events;

namespace Vigil.Tests.Enrichment;

public sealed class CgroupPathParserTests
{
    private const string Id = "4f1d3c2b5a6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708";
    private const string PodUid = "0b6a7c2e-1f3d-4e5a-9b8c-7d6e5f4a3b2c";

    public static TheoryData<string, ContainerRuntime, string, string?, PodQosClass> Paths => new()
    {
        { $"/system.slice/docker-{Id}.scope", ContainerRuntime.Docker, Id, null, PodQosClass.None },
        { $"/docker/{Id}", ContainerRuntime.Docker, Id, null, PodQosClass.None },
        { $"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{PodUid.Replace('-', '_')}.slice/cri-containerd-{Id}.scope", ContainerRuntime.Containerd, Id, PodUid, PodQosClass.Burstable },
        { $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{PodUid.Replace('-', '_')}.slice/crio-{Id}.scope", ContainerRuntime.CriO, Id, PodUid, PodQosClass.BestEffort },
        { $"/kubepods.slice/kubepods-pod{PodUid.Replace('-', '_')}.slice/crio-{Id}.scope", ContainerRuntime.CriO, Id, PodUid, PodQosClass.Guaranteed },
        { $"/kubepods/besteffort/pod{PodUid}/{Id}", ContainerRuntime.Kubernetes, Id, PodUid, PodQosClass.BestEffort },
        { $"/kubepods/pod{PodUid}/{Id}", ContainerRuntime.Kubernetes, Id, PodUid, PodQosClass.Guaranteed },
        { $"/machine.slice/libpod-{Id}.scope/container", ContainerRuntime.Podman, Id, null, PodQosClass.None },
        { $"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{Id}.scope", ContainerRuntime.Podman, Id, null, PodQosClass.None },
        { @"/machine.slice/machine-web\x2d1.scope/payload", ContainerRuntime.SystemdNspawn, "web-1", null, PodQosClass.None },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Runtimes_are_recognised_by_how_they_name_cgroups(string path, ContainerRuntime runtime, string id, string? pod, PodQosClass qos)
    {
        ContainerInfo info = CgroupPathParser.Parse(path);
        Assert.Equal(runtime, info.Runtime);
        Assert.Equal(id, info.Id);
        Assert.Equal(pod, info.PodUid);
        Assert.Equal(qos, info.QosClass);
        Assert.Equal(path, info.CgroupPath);
        Assert.False(info.IsHost);
    }

    [Theory]
    [InlineData("/", null)]
    [InlineData("/system.slice/ssh.service", "ssh.service")]
    [InlineData("/user.slice/user-0.slice/session-3.scope", "session-3.scope")]
    [InlineData("/system.slice/docker.service", "docker.service")]
    [InlineData($"/system.slice/crio-conmon-{Id}.scope", $"crio-conmon-{Id}.scope")]
    public void Host_processes_are_host_with_their_systemd_unit(string path, string? unit)
    {
        ContainerInfo info = CgroupPathParser.Parse(path);
        Assert.True(info.IsHost);
        Assert.Equal("host", info.Id);
        Assert.Equal(unit, info.Unit);
    }

    [Fact]
    public void The_short_id_is_the_twelve_characters_docker_shows()
    {
        Assert.Equal(Id[..12], CgroupPathParser.Parse($"/docker/{Id}").ShortId);
        Assert.Equal("host", ContainerInfo.Host.ShortId);
    }
}
