using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Process;
using Vigil.Tests.Support;

namespace Vigil.Tests.Kernel;

public sealed class ProcessSensorTests
{
    private static (SensorRun Run, CollectingSink Sink, ProcessCache Cache) StartSensor(uint agentTgid = 0)
    {
        var sink = new CollectingSink();
        var cache = new ProcessCache(4096);
        var sensor = new ProcessSensor(new ProcessEnricher(cache, sink), NullLogger<ProcessSensor>.Instance);
        var run = new SensorRun([sensor], SensorRun.Options(agentTgid));
        Assert.Equal(SensorState.Running, sensor.Status.State);
        return (run, sink, cache);
    }

    [Fact]
    public void Exec_event_carries_argv_parent_and_ids()
    {
        var (run, sink, _) = StartSensor();
        using (run)
        {
            string marker = Children.Marker();
            using var child = Children.Start("/bin/sh", "-c", "exit 0", marker, "second arg");
            child.WaitForExit();

            var exec = sink.WaitFor<ProcessExecEvent>(e => e.Process.Pid == (uint)child.Id);
            Assert.Equal("/bin/sh", exec.Binary);
            Assert.Equal(["/bin/sh", "-c", "exit 0", marker, "second arg"], exec.Args);
            Assert.False(exec.ArgsTruncated);
            Assert.Equal((uint)Environment.ProcessId, exec.Process.ParentPid);
            Assert.Equal(0u, exec.Process.Uid);
            Assert.Equal(exec.Process.Pid, exec.Process.Tid);
            Assert.Equal("sh", exec.Process.Comm);
            Assert.Equal(ProcScanner.TryRead("/proc/self", (uint)Environment.ProcessId)!.ExecId, exec.Process.ParentExecId);
            Assert.InRange(exec.Timestamp, DateTime.UtcNow.AddSeconds(-10), DateTime.UtcNow.AddSeconds(1));
        }
    }

    [Fact]
    public void Exit_event_reports_code_and_signal()
    {
        var (run, sink, _) = StartSensor();
        using (run)
        {
            using var exits7 = Children.Start("/bin/sh", "-c", "exit 7", Children.Marker());
            exits7.WaitForExit();
            using var killed = Children.Start("/bin/sleep", "30");
            sink.WaitFor<ProcessExecEvent>(e => e.Process.Pid == (uint)killed.Id);
            killed.Kill();
            killed.WaitForExit();

            var normal = sink.WaitFor<ProcessExitEvent>(e => e.Process.Pid == (uint)exits7.Id);
            Assert.Equal(7u, normal.ExitCode);
            Assert.Equal(0u, normal.Signal);
            var signalled = sink.WaitFor<ProcessExitEvent>(e => e.Process.Pid == (uint)killed.Id);
            Assert.Equal(9u, signalled.Signal);
            Assert.Equal(0u, signalled.ExitCode);
        }
    }

    [Fact]
    public void Exec_ids_chain_a_grandchild_to_its_parent_across_fork()
    {
        var (run, sink, cache) = StartSensor();
        using (run)
        {
            string marker = Children.Marker();
            // The shell forks, and the child execs /bin/true: exec id ancestry must follow.
            using var shell = Children.Start("/bin/sh", "-c", $"/bin/true {marker}; exit 0");
            shell.WaitForExit();

            var shellExec = sink.WaitFor<ProcessExecEvent>(e => e.Process.Pid == (uint)shell.Id);
            var trueExec = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker) && e.Binary == "/bin/true");
            var fork = sink.WaitFor<ProcessForkEvent>(e => e.ChildPid == trueExec.Process.Pid);

            Assert.Equal(shellExec.Process.ExecId, trueExec.Process.ParentExecId);
            Assert.Equal(shellExec.Process.ExecId, fork.Process.ExecId);
            Assert.Equal(trueExec.Process.ExecId, fork.ChildExecId);
            Assert.NotEqual(shellExec.Process.ExecId, trueExec.Process.ExecId);
            ProcessInfo context = Assert.IsType<ProcessInfo>(trueExec.Context);
            Assert.Same(cache.Find(shellExec.Process.ExecId), context.Parent);
            Assert.Equal("/bin/sh", context.Parent!.Binary);
        }
    }

    [Fact]
    public void Argv_is_cut_at_the_budget_and_marked_truncated()
    {
        KernelRequirement.Check();
        var sink = new CollectingSink();
        var sensor = new ProcessSensor(sink, NullLogger<ProcessSensor>.Instance);
        using var run = new SensorRun([sensor], SensorRun.Options() with { ArgsBudget = 16 });
        using var child = Children.Start("/bin/sh", "-c", "exit 0", Children.Marker());
        child.WaitForExit();

        var exec = sink.WaitFor<ProcessExecEvent>(e => e.Process.Pid == (uint)child.Id);
        Assert.True(exec.ArgsTruncated);
        Assert.Equal(16, exec.Args.Sum(a => a.Length + 1) - 1);
    }

    [Fact]
    public void The_agents_own_activity_is_dropped_in_the_kernel()
    {
        uint self = (uint)Environment.ProcessId;
        var (filtered, filteredSink, _) = StartSensor(agentTgid: self);
        var (control, controlSink, _) = StartSensor(agentTgid: 0);
        using (filtered)
        using (control)
        {
            using var child = Children.Start("/bin/sh", "-c", "exit 0", Children.Marker());
            child.WaitForExit();

            // Both see the child's own exec; only the unfiltered one sees this process fork it.
            filteredSink.WaitFor<ProcessExecEvent>(e => e.Process.Pid == (uint)child.Id);
            controlSink.WaitFor<ProcessForkEvent>(e => e.ChildPid == (uint)child.Id && e.Process.Pid == self);
            controlSink.WaitFor<ProcessExitEvent>(e => e.Process.Pid == (uint)child.Id);
            filteredSink.WaitFor<ProcessExitEvent>(e => e.Process.Pid == (uint)child.Id);
            Assert.DoesNotContain(filteredSink.Snapshot(), e => e.Process.Pid == self);
        }
    }
}
