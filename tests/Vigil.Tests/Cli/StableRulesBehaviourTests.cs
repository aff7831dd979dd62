using System.Text.Json;
using Vigil.Testing;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

/// <summary>One agent with Falco's stable rules and the shipped policies, shared by the tests below.</summary>
public sealed class StableRulesAgent : IDisposable
{
    public StableRulesAgent()
    {
        KernelRequirement.Check();
        Agent = new CliProcess(["run", "--rules", FalcoRulesLocation.StableRules, "--api", "none", "--store", "none"]);
        Agent.WaitUntilRunning();
    }

    public CliProcess Agent { get; }

    /// <summary>The detections of <paramref name="rule"/> whose line mentions <paramref name="marker"/>, after a settle for repeats.</summary>
    public List<JsonElement> Detections(string rule, string marker, bool expectOne = true)
    {
        bool Matches(string l) => l.Contains("\"event.name\":\"detection\"", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal)
            && JsonDocument.Parse(l).RootElement.GetProperty("rule.name").GetString() == rule;
        if (expectOne)
        {
            Agent.WaitForLine(Matches, TimeSpan.FromSeconds(10));
        }
        Thread.Sleep(1000);
        return [.. Agent.Stdout.Where(Matches).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    public void Dispose()
    {
        Agent.Signal(15);
        Agent.WaitForExit(TimeSpan.FromSeconds(20));
        Agent.Dispose();
    }
}

/// <summary>
/// Ten of Falco's stable rules fired by real behaviour on the real kernel (issue #5): each action once,
/// the rule named once with the fields that matter, and the same action by a trusted binary or on an
/// unrelated path firing nothing.
/// </summary>
public sealed class StableRulesBehaviourTests(StableRulesAgent fixture) : IClassFixture<StableRulesAgent>
{
    private static readonly string ContainerId = "c0ffee" + new string('5', 58);

    private static string Field(JsonElement detection, string field) => detection.GetProperty("vigil.rule.fields").GetProperty(field).GetString()!;

    private static int Sh(string script) => Children.Run("/bin/sh", "-c", script);

    private static string Scratch(string marker) => Directory.CreateDirectory(Path.Combine("/tmp", marker)).FullName;

    [Fact]
    public void Reading_etc_shadow_with_cat_fires_read_sensitive_file_untrusted()
    {
        string marker = Children.Marker();
        string dir = Scratch(marker);
        try
        {
            // A cat of the test's own (its path carries the marker into the detection's exepath).
            string cat = Path.Combine(dir, "cat");
            File.Copy("/bin/cat", cat);
            Assert.Equal(0, Sh($"chmod +x {cat}; {cat} /etc/shadow > /dev/null; {cat} /etc/hostname > /dev/null"));
            JsonElement d = Assert.Single(fixture.Detections("Read sensitive file untrusted", marker));
            Assert.Equal("/etc/shadow", Field(d, "fd.name"));
            Assert.Equal("cat", Field(d, "proc.name"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Grep_for_private_keys_fires_and_grep_for_todo_does_not()
    {
        string marker = Children.Marker();
        Sh($"grep -r 'BEGIN RSA PRIVATE' /nonexistent/{marker}; exit 0");
        Sh($"grep -r TODO /nonexistent/{marker}-todo; exit 0");
        JsonElement d = Assert.Single(fixture.Detections("Search Private Keys or Passwords", marker));
        Assert.Contains("BEGIN RSA PRIVATE", Field(d, "proc.cmdline"), StringComparison.Ordinal);
        Assert.Empty(fixture.Detections("Search Private Keys or Passwords", marker + "-todo", expectOne: false));
    }

    [Fact]
    public void Executing_from_a_memfd_fires_fileless_execution()
    {
        string marker = Children.Marker();
        string script = "import os,sys\nfd = os.memfd_create('payload')\nos.write(fd, open('/bin/true','rb').read())\nos.execv(f'/proc/self/fd/{fd}', ['payload', sys.argv[1]])\n";
        Assert.Equal(0, Children.Run("/usr/bin/python3", "-c", script, marker));
        Children.Run("/bin/true", marker + "-disk");
        JsonElement d = Assert.Single(fixture.Detections("Fileless execution via memfd_create", marker));
        Assert.Equal("payload", Field(d, "proc.exe"));
        Assert.Empty(fixture.Detections("Fileless execution via memfd_create", marker + "-disk", expectOne: false));
    }

    [Fact]
    public void Executing_a_binary_in_dev_shm_fires_and_the_same_binary_in_tmp_does_not()
    {
        string marker = Children.Marker();
        string shm = $"/dev/shm/{marker}", tmp = $"/tmp/{marker}-tmp";
        try
        {
            File.Copy("/bin/true", shm);
            File.Copy("/bin/true", tmp);
            Sh($"chmod +x {shm} {tmp}");
            Children.Run(shm); // not through sh -c: Falco's rule also fires on a shell handed a /dev/shm path
            Children.Run(tmp);
            JsonElement d = Assert.Single(fixture.Detections("Execution from /dev/shm", marker));
            Assert.Equal(shm, Field(d, "proc.exepath"));
            Assert.Empty(fixture.Detections("Execution from /dev/shm", marker + "-tmp", expectOne: false));
        }
        finally
        {
            File.Delete(shm);
            File.Delete(tmp);
        }
    }

    [Fact]
    public void A_symlink_to_etc_shadow_fires_and_one_to_etc_hostname_does_not()
    {
        string marker = Children.Marker();
        string link = $"/tmp/{marker}", other = $"/tmp/{marker}-hostname";
        try
        {
            Sh($"ln -s /etc/shadow {link}");
            Sh($"ln -s /etc/hostname {other}");
            JsonElement d = Assert.Single(fixture.Detections("Create Symlink Over Sensitive Files", marker));
            Assert.Equal("ln", Field(d, "proc.name"));
            Assert.Empty(fixture.Detections("Create Symlink Over Sensitive Files", marker + "-hostname", expectOne: false));
        }
        finally
        {
            File.Delete(link);
            File.Delete(other);
        }
    }

    [Fact]
    public void Truncating_a_log_file_fires_clear_log_activities_and_appending_does_not()
    {
        string marker = Children.Marker();
        string log = $"/var/log/{marker}.log", appended = $"/var/log/{marker}-append.log";
        try
        {
            File.WriteAllText(log, "evidence\n");
            File.WriteAllText(appended, "evidence\n");
            Sh($": > {log}");
            Sh($"echo more >> {appended}");
            JsonElement d = Assert.Single(fixture.Detections("Clear Log Activities", marker));
            Assert.Equal(log, Field(d, "fd.name"));
            Assert.Equal(0, new FileInfo(log).Length);
            Assert.Empty(fixture.Detections("Clear Log Activities", marker + "-append", expectOne: false));
        }
        finally
        {
            File.Delete(log);
            File.Delete(appended);
        }
    }

    [Fact]
    public void Attaching_with_ptrace_fires()
    {
        string marker = Children.Marker();
        using var target = Children.Start("/bin/sleep", "30");
        try
        {
            // A python named after the marker attaches to the sleeper the test started, then detaches.
            string script = "import ctypes,os,sys\nlibc = ctypes.CDLL(None, use_errno=True)\npid = int(sys.argv[1])\n" +
                "assert libc.ptrace(16, pid, None, None) == 0, ctypes.get_errno()\nos.waitpid(pid, 0)\nlibc.ptrace(17, pid, None, None)\n";
            Assert.Equal(0, Children.Run("/usr/bin/python3", "-c", script, target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), marker));
            JsonElement d = Assert.Single(fixture.Detections("PTRACE attached to process", marker));
            Assert.Equal("python3", Field(d, "proc.name"));
        }
        finally
        {
            target.Kill();
            target.WaitForExit();
        }
    }

    [Fact]
    public void Netcat_with_exec_in_a_container_fires_and_on_the_host_does_not()
    {
        string marker = Children.Marker();
        using var cgroup = new TestCgroup($"system.slice/docker-{ContainerId}.scope");
        // Nothing listens on port 9 of loopback: nc exits at once; the exec is what the rule judges.
        Sh($"{cgroup.Enter}nc -e /bin/true 127.0.0.1 9 {marker}; exit 0");
        Sh($"nc -e /bin/true 127.0.0.1 9 {marker}-host; exit 0");
        JsonElement d = Assert.Single(fixture.Detections("Netcat Remote Code Execution in Container", marker));
        Assert.Equal(ContainerId[..12], Field(d, "container.id"));
        Assert.Empty(fixture.Detections("Netcat Remote Code Execution in Container", marker + "-host", expectOne: false));
    }

    [Fact]
    public void Writing_a_release_agent_in_a_container_fires()
    {
        string marker = Children.Marker();
        string dir = Scratch(marker);
        using var cgroup = new TestCgroup($"system.slice/docker-{ContainerId}.scope");
        try
        {
            Sh($"{cgroup.Enter}echo /tmp/x > {dir}/release_agent; echo {marker} > {dir}/notes");
            JsonElement d = Assert.Single(fixture.Detections("Detect release_agent File Container Escapes", marker));
            Assert.Equal($"{dir}/release_agent", Field(d, "fd.name"));
            Assert.Equal(ContainerId[..12], Field(d, "container.id"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_shell_with_a_terminal_entering_a_container_fires_terminal_shell_in_container()
    {
        string marker = Children.Marker();
        string dir = Scratch(marker);
        using var cgroup = new TestCgroup($"system.slice/docker-{ContainerId}.scope");
        try
        {
            // A runtime-like parent named runc puts a shell with a pseudo-terminal into the container, like `docker exec -it`.
            string runc = Path.Combine(dir, "runc");
            File.Copy("/usr/bin/python3", runc);
            string script = "import os,pty,sys\npid, fd = pty.fork()\nif pid == 0:\n    os.execv('/bin/bash', ['bash', '-c', 'exit 0', sys.argv[1]])\n" +
                "while True:\n    try:\n        os.read(fd, 1024)\n    except OSError:\n        break\nos.waitpid(pid, 0)\n";
            Assert.Equal(0, Children.Run("/bin/sh", "-c", $"{cgroup.Enter}exec {runc} -c \"$0\" {marker}", script));
            JsonElement d = Assert.Single(fixture.Detections("Terminal shell in container", marker));
            Assert.Equal("runc", Field(d, "proc.pname"));
            Assert.NotEqual("0", Field(d, "proc.tty"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
