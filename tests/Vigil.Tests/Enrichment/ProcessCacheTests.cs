using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Process;
using Vigil.Tests.Support;

namespace Vigil.Tests.Enrichment;

public sealed class ProcessCacheTests
{
    private static ProcessInfo Info(uint pid, uint parent = 0) => new()
    {
        ExecId = new ExecId(1, pid, pid * 10UL),
        Pid = pid,
        ParentExecId = parent == 0 ? default : new ExecId(1, parent, parent * 10UL),
        Binary = $"/bin/p{pid}",
    };

    [Fact]
    public void Least_recently_used_entries_are_evicted_and_counted()
    {
        var cache = new ProcessCache(capacity: 3);
        for (uint pid = 1; pid <= 5; pid++)
        {
            cache.Put(Info(pid));
        }
        Assert.Equal(3, cache.Count);
        Assert.Equal(2, cache.Evictions);
        Assert.Null(cache.Find(Info(1).ExecId));
        Assert.Null(cache.Find(Info(2).ExecId));
        Assert.NotNull(cache.Find(Info(5).ExecId));
    }

    [Fact]
    public void Exited_processes_are_evicted_before_live_ones()
    {
        var cache = new ProcessCache(capacity: 3);
        cache.Put(Info(1));
        cache.Put(Info(2));
        cache.Put(Info(3));
        cache.MarkExited(Info(3).ExecId, DateTime.UtcNow);
        cache.Put(Info(4));
        Assert.Null(cache.Find(Info(3).ExecId));
        Assert.NotNull(cache.Find(Info(1).ExecId));
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public void Children_link_to_cached_parents_and_ancestry_is_walkable()
    {
        var cache = new ProcessCache(16);
        cache.Put(Info(1));
        cache.Put(Info(2, parent: 1));
        cache.Put(Info(3, parent: 2));
        ProcessInfo leaf = cache.Find(Info(3).ExecId)!;
        Assert.Equal([2u, 1u], ProcessCache.Ancestors(leaf, 8).Select(p => p.Pid));
        Assert.Single(ProcessCache.Ancestors(leaf, 1));
    }

    [Fact]
    public void Seeding_from_proc_finds_running_processes_with_binaries_and_parents()
    {
        using var sleeper = Children.Start("/bin/sleep", "30");
        try
        {
            var cache = new ProcessCache(65536);
            int seeded = ProcScanner.Seed(cache);
            Assert.True(seeded >= 2, $"only {seeded} processes seeded");

            ProcessInfo self = cache.FindLive((uint)Environment.ProcessId)!;
            Assert.Equal(new FileInfo("/proc/self/exe").LinkTarget, self.Binary);
            Assert.Equal(ProcessSource.ProcScan, self.Source);

            ProcessInfo child = cache.FindLive((uint)sleeper.Id)!;
            Assert.Equal(["/bin/sleep", "30"], child.Args);
            Assert.Equal("/usr/bin/sleep", child.Binary);
            Assert.Same(self, child.Parent);
            Assert.Equal(self.ExecId, child.ParentExecId);
            Assert.InRange(child.StartTime, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    [Fact]
    public void Seeded_exec_ids_match_the_ids_the_kernel_reports()
    {
        // Both come from the task's start_boottime: /proc in clock ticks, BPF in ns converted to ticks.
        ProcessInfo self = ProcScanner.TryRead("/proc/self", (uint)Environment.ProcessId)!;
        ulong startNs = self.ExecId.StartTicks * (ulong)(1_000_000_000 / BootClock.TicksPerSecond);
        Assert.Equal(self.ExecId, BootClock.ExecIdFromKernel(self.Pid, startNs + 1234));
    }
}
