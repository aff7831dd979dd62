using System.Collections.Concurrent;
using System.Numerics;

namespace Vigil.Detection.Rules;

/// <summary>Capability sets rendered as Falco does: space-separated CAP_* names in bit order.</summary>
internal static class Capabilities
{
    // Bit N is capability N (include/uapi/linux/capability.h).
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    // A fleet has few distinct capability sets (root, none, a handful of services): rendered once each.
    private static readonly ConcurrentDictionary<ulong, string> Rendered = new();

    public static string Render(ulong set) => Rendered.GetOrAdd(set, static bits =>
    {
        var names = new List<string>(BitOperations.PopCount(bits));
        for (int bit = 0; bit < 64; bit++)
        {
            if ((bits & (1UL << bit)) != 0)
            {
                names.Add(bit < Names.Length ? Names[bit] : $"CAP_{bit}");
            }
        }
        return string.Join(' ', names);
    });
}
