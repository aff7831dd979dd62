using Vigil.Events;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>The privilege sensor on the real kernel, scoped by a cgroup rule to the test's own children.</summary>
public sealed class PrivilegeSensorTests
{
    private const string Python = "/usr/bin/python3";

    private static (JudgedSensorRun Run, TestCgroup Cgroup) Start()
    {
        var run = new JudgedSensorRun(JudgedSensorRun.Privilege);
        var cgroup = new TestCgroup("privilege");
        run.Tables.Apply([run.Rule("t/cgroup", r => r with { CgroupIds = [cgroup.Id] })]);
        return (run, cgroup);
    }

    /// <summary>Runs a shell command inside the test cgroup and waits for it.</summary>
    private static void InCgroup(TestCgroup cgroup, string command)
    {
        using var child = Children.Start("/bin/sh", "-c", cgroup.Enter + command);
        child.WaitForExit();
    }

    [Fact]
    public void Setuid_to_root_from_a_user_is_flagged_and_its_failure_reported()
    {
        var (run, cgroup) = Start();
        using (run)
        using (cgroup)
        {
            InCgroup(cgroup, $"exec setpriv --reuid=65534 --regid=65534 --clear-groups {Python} -c 'import os\ntry: os.setuid(0)\nexcept OSError: pass'");
            InCgroup(cgroup, $"{Python} -c 'import os; os.setgid(65534); os.setuid(65534)'");

            PrivilegeEvent up = run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "setuid" && e.Target == 0);
            Assert.True(up.ToRoot);
            Assert.Equal(-1, up.Result); // EPERM
            Assert.Equal(65534u, up.Process.EffectiveUid);
            PrivilegeEvent down = run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "setuid" && e.Target == 65534);
            Assert.False(down.ToRoot);
            Assert.Equal(0, down.Result);
            Assert.Equal(["t/cgroup"], down.Policy!.Rules);
        }
    }

    [Fact]
    public void Setuid_to_root_from_a_setuid_root_program_run_by_a_user_is_flagged()
    {
        var (run, cgroup) = Start();
        using (run)
        using (cgroup)
        {
            // Run by nobody, a setuid-root program has euid 0 but real uid 65534: its setuid(0) makes the user root for good.
            DirectoryInfo dir = Directory.CreateTempSubdirectory("vigil-test-");
            try
            {
                const UnixFileMode Everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
                File.SetUnixFileMode(dir.FullName, Everyone);
                string helper = Path.Combine(dir.FullName, "helper");
                File.Copy(Python, helper);
                File.SetUnixFileMode(helper, Everyone | UnixFileMode.SetUser);
                InCgroup(cgroup, $"exec setpriv --reuid=65534 --regid=65534 --clear-groups {helper} -c 'import os; os.setuid(0)'");

                PrivilegeEvent up = run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "setuid" && e.Target == 0);
                Assert.True(up.ToRoot);
                Assert.Equal(0, up.Result);
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }
    }

    [Fact]
    public void Ptrace_attach_names_request_and_target()
    {
        var (run, cgroup) = Start();
        using (run)
        using (cgroup)
        {
            using var target = Children.Start("/bin/sleep", "30");
            try
            {
                InCgroup(cgroup, $"{Python} -c 'import ctypes; ctypes.CDLL(None, use_errno=True).ptrace(16, {target.Id}, 0, 0)'");
                PrivilegeEvent attach = run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "ptrace");
                Assert.Equal((16UL, (long)target.Id, 0L), (attach.Flags, attach.Target, attach.Result));
            }
            finally
            {
                target.Kill();
            }
        }
    }

    [Fact]
    public void Memfd_bpf_unshare_setns_mount_and_capset_are_reported()
    {
        var (run, cgroup) = Start();
        using (run)
        using (cgroup)
        {
            string marker = Children.Marker();
            string mountPoint = Directory.CreateDirectory(Path.Combine(run.Directory, "mnt")).FullName;
            InCgroup(cgroup, $"{Python} -c 'import os; os.memfd_create(\"{marker}\")'");
            InCgroup(cgroup, $"{Python} -c 'import ctypes; ctypes.CDLL(None).syscall(321, 5, 0, 0)'");
            InCgroup(cgroup, $"unshare --mount sh -c 'mount -t tmpfs vigil-test {mountPoint}'");
            InCgroup(cgroup, "nsenter -t $$ --uts true");
            InCgroup(cgroup, "setpriv --inh-caps=-all true");

            Assert.Equal(marker, run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "memfd_create").Name);
            PrivilegeEvent bpf = run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "bpf");
            Assert.Equal(5UL, bpf.Flags); // BPF_PROG_LOAD
            Assert.True(bpf.Result < 0);
            Assert.Equal(0x20000UL, run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "unshare").Flags); // CLONE_NEWNS
            // unshare --mount first makes "/" private: a mount call of its own.
            PrivilegeEvent mount = run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "mount" && e.Name == mountPoint);
            Assert.Equal(0, mount.Result);
            Assert.Equal(0x04000000UL, run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "setns").Flags); // CLONE_NEWUTS
            run.Sink.WaitFor<PrivilegeEvent>(e => e.Syscall == "capset");
        }
    }

    [Fact]
    public void Processes_outside_the_rules_cgroup_are_not_shipped()
    {
        var (run, cgroup) = Start();
        using (run)
        using (cgroup)
        {
            string outside = Children.Marker(), inside = Children.Marker();
            using (var child = Children.Start(Python, "-c", $"import os; os.memfd_create('{outside}')"))
            {
                child.WaitForExit();
            }
            InCgroup(cgroup, $"{Python} -c 'import os; os.memfd_create(\"{inside}\")'");

            run.Sink.WaitFor<PrivilegeEvent>(e => e.Name == inside);
            Assert.DoesNotContain(run.Sink.Snapshot().OfType<PrivilegeEvent>(), e => e.Name == outside);
        }
    }
}
