using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Process;
using Vigil.Tests.Support;

namespace Vigil.Tests.Kernel;

/// <summary>Working directory, terminal, capabilities, login uid and memfd images, read in the kernel at exec.</summary>
public sealed class ExecDetailsTests
{
    private static (SensorRun Run, CollectingSink Sink) StartSensor()
    {
        var sink = new CollectingSink();
        var sensor = new ProcessSensor(new ProcessEnricher(new ProcessCache(4096), sink), NullLogger<ProcessSensor>.Instance);
        var run = new SensorRun([sensor], SensorRun.Options(0));
        Assert.Equal(SensorState.Running, sensor.Status.State);
        return (run, sink);
    }

    [Fact]
    public void Working_directory_is_resolved_across_mount_points()
    {
        // /dev/shm is a tmpfs mounted on /dev: the walk must cross two mounts to reach "/".
        string dir = Directory.CreateDirectory(Path.Combine("/dev/shm", Children.Marker(), "deeper dir")).FullName;
        var (run, sink) = StartSensor();
        try
        {
            using (run)
            {
                string marker = Children.Marker();
                using var child = Children.StartIn(dir, "/bin/sh", "-c", "exit 0", marker);
                child.WaitForExit();

                var exec = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker));
                Assert.Equal(dir, exec.Details.Cwd);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public void Root_directory_is_a_single_slash()
    {
        var (run, sink) = StartSensor();
        using (run)
        {
            string marker = Children.Marker();
            using var child = Children.StartIn("/", "/bin/true", marker);
            child.WaitForExit();
            Assert.Equal("/", sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker)).Details.Cwd);
        }
    }

    [Fact]
    public void Capabilities_follow_a_privilege_drop()
    {
        var (run, sink) = StartSensor();
        using (run)
        {
            string full = Children.Marker(), dropped = Children.Marker();
            Children.Run("/bin/true", full);
            // setpriv clears every capability before exec'ing: the sets in the event must be empty.
            Assert.Equal(0, Children.Run("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", "/bin/true", dropped));

            var root = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(full)).Details;
            var none = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(dropped) && e.Binary == "/bin/true").Details;
            const ulong capSysAdmin = 1UL << 21;
            Assert.NotEqual(0UL, root.CapEffective & capSysAdmin);
            Assert.NotEqual(0UL, root.CapPermitted & capSysAdmin);
            Assert.Equal(0UL, none.CapEffective);
            Assert.Equal(0UL, none.CapPermitted);
        }
    }

    [Fact]
    public void Terminal_and_login_uid_match_what_proc_reports()
    {
        var (run, sink) = StartSensor();
        using (run)
        {
            string marker = Children.Marker();
            // The shell the test started logs in as uid 4321 (only its own tree is affected), then
            // script(1) gives the command a pseudo-terminal; the command prints what /proc says of it.
            using var child = Children.Start("/bin/sh", "-c",
                "echo 4321 > /proc/self/loginuid && exec /usr/bin/script -qec 'cat /proc/self/stat; echo " + marker + "' /dev/null");
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            Assert.Equal(0, child.ExitCode);

            var cat = sink.WaitFor<ProcessExecEvent>(e => e.Binary.EndsWith("/cat", StringComparison.Ordinal) && e.Process.ParentExecId != default
                && e.Args.SequenceEqual(["cat", "/proc/self/stat"]) && e.Details.LoginUid == 4321);
            string[] stat = output[(output.IndexOf(')', StringComparison.Ordinal) + 2)..].Split(' ');
            uint ttyNr = uint.Parse(stat[4], System.Globalization.CultureInfo.InvariantCulture);
            Assert.NotEqual(0u, ttyNr);
            Assert.Equal(ttyNr, cat.Details.Tty);
            Assert.Contains(marker, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Exec_from_a_memfd_is_flagged_and_a_file_exec_is_not()
    {
        var (run, sink) = StartSensor();
        using (run)
        {
            string marker = Children.Marker();
            string script = "import os,sys\n" +
                "fd = os.memfd_create('payload')\n" +
                "os.write(fd, open('/bin/true','rb').read())\n" +
                "os.execv(f'/proc/self/fd/{fd}', ['payload', sys.argv[1]])\n";
            Assert.Equal(0, Children.Run("/usr/bin/python3", "-c", script, marker));

            var fileless = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker) && e.Args[0] == "payload");
            Assert.True(fileless.Details.ExeFromMemfd);
            var python = sink.WaitFor<ProcessExecEvent>(e => e.Args.Contains(marker) && e.Args[0] != "payload");
            Assert.False(python.Details.ExeFromMemfd);
        }
    }
}
