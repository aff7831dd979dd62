using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>
/// Sigkill rules, scoped to a cgroup of the test's own: only the test's children in it are ever at
/// risk. A killed process dies on its way back from open(), before any write of its can land.
/// </summary>
public sealed class EnforcementTests
{
    private const string Original = "original content\n";

    private static JudgeRule Protect(JudgedSensorRun run, string file, TestCgroup cgroup, bool enforce) =>
        run.Rule("protect", r => r with
        {
            Ops = [0], // open
            PathExact = [file],
            Intent = FileIntent.Write,
            CgroupIds = [cgroup.Id],
            Action = JudgeAction.Sigkill,
            Enforce = enforce,
        });

    [Fact]
    public void A_process_opening_a_protected_file_for_writing_dies_before_its_write_lands()
    {
        using var run = new JudgedSensorRun();
        using var cgroup = new TestCgroup("enforce");
        string file = run.Directory + "/protected";
        File.WriteAllText(file, Original);
        run.Apply(Protect(run, file, cgroup, enforce: true));

        // Open read-write without truncating, then write: the write must never happen.
        using var child = Children.StartIn(run.Directory, "/bin/sh", "-c", cgroup.Enter + "exec 3<>protected; echo tampered >&3; echo survived");
        child.WaitForExit();

        Assert.Equal(128 + 9, child.ExitCode); // SIGKILL
        Assert.Equal("", child.StandardOutput.ReadToEnd());
        Assert.Equal(Original, File.ReadAllText(file));
        FileEvent killed = run.Sink.WaitFor<FileEvent>(e => e.Path == file);
        Assert.True(killed.Policy!.Killed);
        Assert.Equal((uint)child.Id, killed.Process.Pid);
        Assert.Equal(1UL, run.Tables.Counters().Single().Counters.Killed);

        // Outside the cgroup the rule does not apply: the same write goes through.
        Assert.Equal(0, run.Shell("exec 3<>protected; echo changed >&3"));
        Assert.StartsWith("changed", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void In_monitor_mode_a_sigkill_rule_only_reports()
    {
        using var run = new JudgedSensorRun();
        using var cgroup = new TestCgroup("monitor");
        string file = run.Directory + "/protected";
        File.WriteAllText(file, Original);
        run.Apply(Protect(run, file, cgroup, enforce: false));

        using var child = Children.StartIn(run.Directory, "/bin/sh", "-c", cgroup.Enter + "exec 3<>protected; echo tampered >&3");
        child.WaitForExit();

        Assert.Equal(0, child.ExitCode);
        Assert.StartsWith("tampered", File.ReadAllText(file), StringComparison.Ordinal);
        FileEvent reported = run.Sink.WaitFor<FileEvent>(e => e.Path == file);
        Assert.False(reported.Policy!.Killed);
        Assert.Equal(["protect"], reported.Policy.Rules);
    }
}
