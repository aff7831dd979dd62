using System.Runtime.InteropServices;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>Process-wide facts and switches of the BPF subsystem.</summary>
public static unsafe class BpfSystem
{
    private static readonly Lazy<int> s_cpus = new(() => BpfException.Check(Libbpf.NumPossibleCpus(), "count possible CPUs"));

    public static int PossibleCpus => s_cpus.Value;

    public static string LibbpfVersion => $"{Libbpf.MajorVersion()}.{Libbpf.MinorVersion()}";

    /// <summary>Turns on the kernel's per-program run count and run time while the handle is open.</summary>
    public static SafeHandle EnableRunTimeStats()
    {
        int fd = BpfException.Check(Libbpf.EnableStats(0), "enable BPF run-time stats");
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Creates and closes a small map of the given type: proves the BPF syscall and that map type work.</summary>
    public static void ProbeMap(BpfMapType type, int keySize, int valueSize, int maxEntries)
    {
        int fd = BpfException.Check(Libbpf.MapCreate((int)type, "vigil_probe", (uint)keySize, (uint)valueSize, (uint)maxEntries, null),
            $"create a {type} map");
        Libc.Close(fd);
    }

    public static bool IsRoot => Libc.GetEuid() == 0;
}
