using System.Globalization;
using Vigil.Bpf;

namespace Vigil.Agent.Host;

/// <summary>Whether this process may load and attach BPF programs: root, or CAP_BPF with CAP_PERFMON.</summary>
public static class Privileges
{
    private const int CapSysAdmin = 21;
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;

    public static ulong EffectiveCapabilities()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                return ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    public static bool CanUseBpf(out string missing)
    {
        ulong caps = EffectiveCapabilities();
        bool has(int cap) => (caps & (1UL << cap)) != 0;
        if (has(CapSysAdmin) || (has(CapBpf) && has(CapPerfmon)))
        {
            missing = "";
            return true;
        }
        missing = BpfSystem.IsRoot ? "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)" : "root (or CAP_BPF and CAP_PERFMON)";
        return false;
    }
}
