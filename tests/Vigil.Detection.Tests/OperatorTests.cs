using Vigil.Detection.Rules;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

public sealed class OperatorTests
{
    private static readonly ProcessExecEvent Grep = Exec("/usr/bin/grep", ["grep", "-r", "BEGIN RSA PRIVATE", "/home"]);

    private static readonly FileEvent ShadowRead = Open("/etc/shadow", FileIntent.Read, ShellSession(), flags: 0x80000);

    private static readonly NetworkEvent HttpsOut = Connect(ShellSession(), "93.184.216.34", 443);

    [Theory]
    [InlineData("proc.name = grep", true)]
    [InlineData("proc.name = \"grep\"", true)]
    [InlineData("proc.name = egrep", false)]
    [InlineData("proc.name != egrep", true)]
    [InlineData("proc.name != grep", false)]
    [InlineData("proc.name in (egrep, grep, fgrep)", true)]
    [InlineData("proc.name in (egrep, fgrep)", false)]
    [InlineData("proc.name intersects (grep)", true)]
    [InlineData("proc.cmdline contains \"RSA PRIVATE\"", true)]
    [InlineData("proc.cmdline contains \"rsa private\"", false)]
    [InlineData("proc.cmdline icontains \"rsa private\"", true)]
    [InlineData("proc.cmdline icontains \"dsa private\"", false)]
    [InlineData("proc.cmdline startswith \"grep -r\"", true)]
    [InlineData("proc.cmdline startswith \"-r\"", false)]
    [InlineData("proc.args startswith \"-r\"", true)]
    [InlineData("proc.args endswith /home", true)]
    [InlineData("proc.args endswith /root", false)]
    [InlineData("proc.exepath glob '/usr/*/g?ep'", true)]
    [InlineData("proc.exepath glob '/usr/*/x*'", false)]
    [InlineData("proc.exepath iglob '/USR/BIN/[fg]rep'", true)]
    [InlineData("proc.exepath regex '^/usr/(s)?bin/grep$'", true)]
    [InlineData("proc.exepath regex '^/sbin/'", false)]
    [InlineData("proc.exepath pmatch (/usr/bin, /opt)", true)]
    [InlineData("proc.exepath pmatch (/usr/b, /opt)", false)]
    [InlineData("proc.pname exists", true)]
    [InlineData("fd.name exists", false)]
    [InlineData("proc.pid = 1000", true)]
    [InlineData("proc.pid < 1000", false)]
    [InlineData("proc.pid <= 1000", true)]
    [InlineData("proc.pid > 999", true)]
    [InlineData("proc.pid >= 1001", false)]
    [InlineData("proc.pid in (1, 1000)", true)]
    [InlineData("proc.aname[1] = bash and proc.aname[2] = sshd and proc.aname[3] = systemd", true)]
    [InlineData("proc.aname[0] = grep", true)]
    [InlineData("proc.aname = sshd", true)]
    [InlineData("proc.aname = grep", false)]
    [InlineData("proc.aname[4] exists", false)]
    [InlineData("proc.pname = bash and proc.pcmdline = \"bash\"", true)]
    [InlineData("proc.exe = grep and proc.cmdnargs = 3", true)]
    [InlineData("evt.type = execve and evt.dir = < and evt.res = SUCCESS", true)]
    [InlineData("evt.dir = >", false)]
    [InlineData("not proc.name = grep", false)]
    [InlineData("not (proc.name = bash or proc.name = sh) and proc.name = grep", true)]
    [InlineData("proc.name = sh or proc.name = grep and proc.pid = 1", false)]
    [InlineData("(proc.name = sh or proc.name = grep) and proc.pid = 1000", true)]
    [InlineData("container.id = host and not container.image.repository in (a, b)", true)]
    [InlineData("container.image.repository exists", false)]
    public void Exec_event(string condition, bool expected) => Assert.Equal(expected, RuleHarness.Matches(condition, Grep));

    [Theory]
    [InlineData("evt.type = openat and evt.is_open_read = true and evt.is_open_write = false", true)]
    [InlineData("fd.typechar = 'f' and fd.num >= 0 and fd.type = file", true)]
    [InlineData("fd.directory = /etc and fd.filename = shadow", true)]
    [InlineData("fd.directory in (/etc/pam.d)", false)]
    [InlineData("evt.arg.flags contains O_CLOEXEC and evt.arg.flags contains O_RDONLY", true)]
    [InlineData("evt.arg.flags contains O_TRUNC", false)]
    [InlineData("evt.arg[flags] contains O_CLOEXEC", true)]
    [InlineData("evt.rawres = 3 and evt.failed = false", true)]
    [InlineData("fd.sip exists", false)]
    public void File_event(string condition, bool expected) => Assert.Equal(expected, RuleHarness.Matches(condition, ShadowRead));

    [Fact]
    public void Failed_open_has_fd_num_minus_one_and_errno_result()
    {
        FileEvent denied = Open("/etc/shadow", FileIntent.Read, ShellSession(), result: -13);
        Assert.True(RuleHarness.Matches("fd.num = -1 and evt.res = EACCES and evt.res startswith E and evt.rawres < 0", denied));
    }

    [Theory]
    [InlineData("evt.type = connect and fd.typechar = 4 and fd.type = ipv4 and fd.l4proto = tcp", true)]
    [InlineData("fd.sip = 93.184.216.34 and fd.dip = \"93.184.216.34\" and fd.cip = 10.0.0.5", true)]
    [InlineData("fd.sip = 1.1.1.1", false)]
    [InlineData("fd.sip in (1.1.1.1, 93.184.216.34)", true)]
    [InlineData("fd.ip = 10.0.0.5 and fd.ip = 93.184.216.34", true)]
    [InlineData("fd.snet = \"93.184.0.0/16\" and not fd.snet in (\"10.0.0.0/8\", \"192.168.0.0/16\")", true)]
    [InlineData("fd.net = \"10.0.0.0/8\"", true)]
    [InlineData("fd.cnet != \"10.0.0.0/8\"", false)]
    [InlineData("fd.sport = 443 and fd.dport = 443 and fd.rport = 443 and fd.lport = 40000 and fd.port = 40000", true)]
    [InlineData("fd.name = \"10.0.0.5:40000->93.184.216.34:443\"", true)]
    [InlineData("fd.sport in (22, 80)", false)]
    public void Network_event(string condition, bool expected) => Assert.Equal(expected, RuleHarness.Matches(condition, HttpsOut));

    [Theory]
    [InlineData("proc.name = grep and fd.name = x", "fd.name = x")]
    public void Missing_values_fail_both_equal_and_not_equal(string condition, string _)
    {
        Assert.False(RuleHarness.Matches(condition, Grep));
        Assert.False(RuleHarness.Matches("fd.name != x", Grep));
        Assert.True(RuleHarness.Matches("not fd.name = x", Grep));
    }

    [Fact]
    public void Ptrace_request_renders_as_falco_name()
    {
        PrivilegeEvent attach = Ptrace(ShellSession(), 16);
        Assert.True(RuleHarness.Matches("evt.type = ptrace and evt.arg.request contains PTRACE_ATTACH", attach));
        Assert.False(RuleHarness.Matches("evt.arg.request contains PTRACE_TRACEME", attach));
    }

    [Fact]
    public void Symlink_and_link_arguments()
    {
        FileEvent symlink = PathPair("symlinkat", "/etc/shadow", "/tmp/s", ShellSession());
        Assert.True(RuleHarness.Matches("evt.arg.target = /etc/shadow and evt.arg.linkpath = /tmp/s", symlink));
        FileEvent link = PathPair("linkat", "/etc/shadow", "/tmp/h", ShellSession());
        Assert.True(RuleHarness.Matches("evt.arg.oldpath = /etc/shadow and evt.arg.newpath = /tmp/h and not evt.arg.target exists", link));
    }

    [Theory]
    [InlineData("proc.pid = abc", "not a number")]
    [InlineData("proc.name < 3", "does not apply to a text field")]
    [InlineData("evt.is_open_read = maybe", "not true or false")]
    [InlineData("fd.sip = nowhere", "not an IP address")]
    [InlineData("fd.snet = \"10.0.0.0/99\"", "not a CIDR network")]
    [InlineData("proc.name = (a, b)", "single value")]
    [InlineData("proc.exepath regex '(unclosed'", "bad regex")]
    [InlineData("proc.exepath glob '/usr/[abc'", "bad glob")]
    [InlineData("proc.aname[x] = a", "non-negative index")]
    [InlineData("proc.nmae = a", "unknown field 'proc.nmae'")]
    public void Type_and_pattern_errors_name_the_problem(string condition, string message)
    {
        RuleStatus status = RuleHarness.StatusOf(condition);
        Assert.Equal(RuleState.Error, status.State);
        Assert.Contains(message, status.Reason, StringComparison.Ordinal);
    }
}
