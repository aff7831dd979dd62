using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Enrichment.Containers;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors.Process;
using Vigil.Tests.Support;

namespace Vigil.Tests.Kernel;

/// <summary>Real cgroups, named as the runtimes name them, with real processes inside.</summary>
public sealed class ContainerAttributionTests
{
    private const string Id = "9e8d7c6b5a49382716059f8e7d6c5b4a392817060f9e8d7c6b5a493827160599";
    private const string PodUid = "5c4b3a29-1807-4f6e-8d5c-4b3a29180706";

    [Theory]
    [InlineData($"system.slice/docker-{Id}.scope", ContainerRuntime.Docker, null, PodQosClass.None)]
    [InlineData("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5c4b3a29_1807_4f6e_8d5c_4b3a29180706.slice/cri-containerd-" + Id + ".scope", ContainerRuntime.Containerd, PodUid, PodQosClass.Burstable)]
    [InlineData($"kubepods.slice/kubepods-besteffort.slice/crio-{Id}.scope", ContainerRuntime.CriO, null, PodQosClass.BestEffort)]
    [InlineData($"machine.slice/libpod-{Id}.scope", ContainerRuntime.Podman, null, PodQosClass.None)]
    [InlineData($"kubepods/besteffort/pod{PodUid}/{Id}", ContainerRuntime.Kubernetes, PodUid, PodQosClass.BestEffort)]
    public void An_exec_inside_a_runtime_cgroup_is_attributed_to_that_container(string path, ContainerRuntime runtime, string? pod, PodQosClass qos)
    {
        KernelRequirement.Check();
        using var cgroup = new TestCgroup(path);
        var sink = new CollectingSink();
        var enricher = new ProcessEnricher(new ProcessCache(1024), sink, new ContainerResolver(new CgroupDirectory()));
        using var run = new SensorRun([new ProcessSensor(enricher, NullLogger<ProcessSensor>.Instance)]);
        string marker = Children.Marker();

        Assert.Equal(0, Children.Run("/bin/sh", "-c", $"{cgroup.Enter}exec /bin/true {marker}"));

        var exec = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker));
        Assert.Equal(cgroup.Id, exec.Process.CgroupId);
        ContainerInfo container = exec.Context!.Container!;
        Assert.Equal(runtime, container.Runtime);
        Assert.Equal(Id, container.Id);
        Assert.Equal(pod, container.PodUid);
        Assert.Equal(qos, container.QosClass);
        Assert.Equal(cgroup.PathInHierarchy, container.CgroupPath);
    }

    [Fact]
    public void A_container_removed_before_its_events_are_handled_is_still_attributed()
    {
        KernelRequirement.Check();
        var sink = new CollectingSink();
        var cgroups = new CgroupDirectory();
        using var enricher = new ProcessEnricher(new ProcessCache(1024), sink, new ContainerResolver(cgroups));
        var held = new HeldSink(enricher);
        using var run = new SensorRun([new ProcessSensor(held, NullLogger<ProcessSensor>.Instance, cgroups)]);
        string marker = Children.Marker();
        string path;
        try
        {
            // Created while the sensor runs, used and removed before the agent gets to its records.
            using (var cgroup = new TestCgroup($"system.slice/docker-{Id}.scope"))
            {
                Assert.Equal(0, Children.Run("/bin/sh", "-c", $"{cgroup.Enter}exec /bin/true {marker}"));
                path = cgroup.PathInHierarchy;
            }
            Assert.Null(cgroups.IdOfPath(path));
        }
        finally
        {
            held.Release();
        }

        var exec = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker));
        ContainerInfo? container = exec.Context!.Container;
        Assert.NotNull(container);
        Assert.Equal(ContainerRuntime.Docker, container.Runtime);
        Assert.Equal(Id, container.Id);
        Assert.Equal(path, container.CgroupPath);
    }

    [Fact]
    public void Host_processes_are_marked_host()
    {
        KernelRequirement.Check();
        var sink = new CollectingSink();
        var enricher = new ProcessEnricher(new ProcessCache(1024), sink, new ContainerResolver(new CgroupDirectory()));
        using var run = new SensorRun([new ProcessSensor(enricher, NullLogger<ProcessSensor>.Instance)]);
        string marker = Children.Marker();
        Children.Run("/bin/true", marker);

        var exec = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker));
        Assert.True(exec.Context!.Container!.IsHost);
    }

    [Fact]
    public void Processes_already_running_in_a_container_are_attributed_when_seeded_from_proc()
    {
        KernelRequirement.Check(); // creating cgroups needs root
        using var cgroup = new TestCgroup($"system.slice/docker-{Id}.scope");
        using var sleeper = Children.Start("/bin/sh", "-c", $"{cgroup.Enter}exec /bin/sleep 30");
        try
        {
            var directory = new CgroupDirectory();
            ProcessInfo? seeded = null;
            for (int i = 0; i < 100 && seeded?.Binary != "/usr/bin/sleep"; i++)
            {
                Thread.Sleep(20);
                seeded = ProcScanner.TryRead($"/proc/{sleeper.Id}", (uint)sleeper.Id, directory);
            }
            Assert.Equal("/usr/bin/sleep", seeded!.Binary);
            Assert.Equal(ContainerRuntime.Docker, seeded.Container!.Runtime);
            Assert.Equal(Id, seeded.Container.Id);
            Assert.Equal(cgroup.Id, seeded.CgroupId);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }
}
