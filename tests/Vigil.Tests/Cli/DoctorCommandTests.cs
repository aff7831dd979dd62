using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

public sealed class DoctorCommandTests
{
    [Fact]
    public void Doctor_reports_each_check_and_loads_every_sensor()
    {
        KernelRequirement.Check();
        var (code, stdout, _) = CliProcess.Run("doctor");
        Assert.Equal(0, code);
        foreach (string check in new[] { "privileges", "bpf-syscall", "ring-buffer", "btf", "tracefs", "bpffs", "bpf-objects", "sensor:process" })
        {
            Assert.Matches($@"(?m)^ok\s+{check}\s", stdout);
        }
    }

    [Fact]
    public void Doctor_without_privileges_says_what_is_missing_and_how_to_fix_it()
    {
        var (code, stdout, _) = CliProcess.RunAs("65534", "doctor");
        Assert.Equal(77, code);
        Assert.Matches(@"(?m)^FAILED\s+privileges\s+missing root", stdout);
        Assert.Contains("fix: run as root", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^not checked\s+sensor:process", stdout);
    }
}
