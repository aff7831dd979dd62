using Vigil.Agent.Host;
using Vigil.Bpf;

namespace Vigil.Tests.Support;

/// <summary>
/// Kernel tests need root, BPF and tracefs. Where they are missing the test skips with the reason,
/// unless VIGIL_REQUIRE_KERNEL=1 (set by .ci/run), which turns that skip into a failure.
/// </summary>
public static class KernelRequirement
{
    private static readonly Lazy<string?> s_missing = new(FindMissing);

    public static void Check()
    {
        if (s_missing.Value is not { } reason)
        {
            return;
        }
        if (Environment.GetEnvironmentVariable("VIGIL_REQUIRE_KERNEL") == "1")
        {
            Assert.Fail($"kernel test cannot run and VIGIL_REQUIRE_KERNEL=1: {reason}");
        }
        Assert.Skip($"kernel test skipped: {reason}");
    }

    private static string? FindMissing()
    {
        if (!Privileges.CanUseBpf(out string missing))
        {
            return $"needs {missing}";
        }
        if (!File.Exists("/sys/kernel/btf/vmlinux"))
        {
            return "no kernel BTF at /sys/kernel/btf/vmlinux";
        }
        try
        {
            BpfSystem.ProbeMap(BpfMapType.RingBuffer, 0, 0, 4096);
        }
        catch (BpfException ex)
        {
            return $"BPF unavailable: {ex.Message}";
        }
        List<string> failures = SystemMounts.EnsureMounted();
        return failures.Count == 0 ? null : $"cannot mount {string.Join(", ", failures)}";
    }
}
