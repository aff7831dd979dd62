using Vigil.Enrichment.Containers;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Tests.Support;
using static Vigil.Tests.Support.SensorRecords;

namespace Vigil.Tests.Enrichment;

/// <summary>
/// Cgroups learned from the process sensor's records, against a mount point with no cgroups in it:
/// what is found was learned, not scanned.
/// </summary>
public sealed class LearnedCgroupTests : IDisposable
{
    private const string ContainerId = "9e8d7c6b5a49382716059f8e7d6c5b4a392817060f9e8d7c6b5a493827160599";
    private const ulong HostCgroup = ulong.MaxValue - 1;
    private const ulong ContainerCgroup = ulong.MaxValue - 2;
    private static readonly ExecId Shell = new(1, 4242, 777);

    private readonly string _emptyMount = Directory.CreateTempSubdirectory("vigil-cgroups-").FullName;

    public void Dispose() => Directory.Delete(_emptyMount);

    [Fact]
    public void Learned_cgroups_are_kept_up_to_the_cap_oldest_out()
    {
        var cgroups = new CgroupDirectory(_emptyMount, learnedCapacity: 2);
        cgroups.Created(1001, "/a");
        cgroups.Created(1002, "/b");
        cgroups.Created(1003, "/c");

        Assert.Null(cgroups.PathOf(1001));
        Assert.Equal("/b", cgroups.PathOf(1002));
        Assert.Equal("/c", cgroups.PathOf(1003));
    }

    [Fact]
    public void A_process_whose_new_cgroup_is_learned_after_its_first_event_there_gets_the_container_on_the_next()
    {
        var cgroups = new CgroupDirectory(_emptyMount);
        var sink = new CollectingSink();
        using var enricher = new ProcessEnricher(new ProcessCache(64), sink, new ContainerResolver(cgroups));
        cgroups.Created(HostCgroup, "/system.slice/ssh.service");
        enricher.Publish(Exec(Shell, cgroupId: HostCgroup));

        // The shell joined a container's cgroup; that cgroup's record is read after the shell's first event there.
        enricher.Publish(Open(Shell, "/etc/first", cgroupId: ContainerCgroup));
        Assert.Null(sink.Snapshot().OfType<FileEvent>().Single().Context!.Container);
        cgroups.Created(ContainerCgroup, $"/system.slice/docker-{ContainerId}.scope");
        enricher.Publish(Open(Shell, "/etc/second", cgroupId: ContainerCgroup));

        ContainerInfo? container = sink.Snapshot().OfType<FileEvent>().Last().Context!.Container;
        Assert.Equal(ContainerRuntime.Docker, container?.Runtime);
        Assert.Equal(ContainerId, container?.Id);
    }

    [Fact]
    public void An_exec_in_a_cgroup_that_cannot_be_found_leaves_the_container_unknown_instead_of_the_old_one()
    {
        var cgroups = new CgroupDirectory(_emptyMount);
        var sink = new CollectingSink();
        using var enricher = new ProcessEnricher(new ProcessCache(64), sink, new ContainerResolver(cgroups));
        cgroups.Created(ContainerCgroup, $"/system.slice/docker-{ContainerId}.scope");
        enricher.Publish(Exec(Shell, cgroupId: ContainerCgroup));
        Assert.Equal(ContainerId, sink.Snapshot().OfType<ProcessExecEvent>().Last().Context!.Container?.Id);

        // Moved to a cgroup gone before anything learned it: not the old container's any more, and not guessed.
        enricher.Publish(Exec(Shell, cgroupId: ulong.MaxValue - 3));
        Assert.Null(sink.Snapshot().OfType<ProcessExecEvent>().Last().Context!.Container);
    }
}
