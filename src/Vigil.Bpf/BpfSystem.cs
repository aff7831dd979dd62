using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
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

    /// <summary>
    /// Returns once every BPF program run that had started has finished: tracing programs run inside
    /// an RCU read-side section, and membarrier(MEMBARRIER_CMD_GLOBAL) waits for an RCU grace period.
    /// Where that command is not available (nohz_full kernels) it sleeps long past any program run.
    /// </summary>
    public static void WaitForRunningPrograms()
    {
        const long MembarrierCmdGlobal = 1;
        long number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 324,
            Architecture.Arm64 => 283,
            _ => -1,
        };
        if (number < 0 || Libc.Syscall(number, MembarrierCmdGlobal, 0, 0) != 0)
        {
            Thread.Sleep(50);
        }
    }

    /// <summary>Opens any pinned BPF object (program, link, map) by its bpffs path.</summary>
    public static SafeFileHandle OpenPinned(string path)
    {
        int fd = Libbpf.ObjGet(path);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new BpfException($"cannot open pinned {path}", -fd);
    }

    /// <summary>Pins an fd-based object (e.g. a link from <see cref="AttachXdp"/>) so it outlives this process.</summary>
    public static void Pin(SafeHandle fd, string path) =>
        BpfException.Check(Libbpf.ObjPin((int)fd.DangerousGetHandle(), path), $"pin at {path}");

    /// <summary>
    /// Attaches an XDP program to an interface of this network namespace through a BPF link in the
    /// given mode; the link lives while its fd or a pin does.
    /// </summary>
    public static SafeFileHandle AttachXdp(SafeHandle program, int ifindex, XdpMode mode)
    {
        const int BpfXdpAttachType = 37;
        var opts = new LinkCreateOptions { Size = (nuint)sizeof(LinkCreateOptions), Flags = (uint)mode };
        int fd = Libbpf.LinkCreate((int)program.DangerousGetHandle(), ifindex, BpfXdpAttachType, &opts);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new BpfException($"attach XDP ({mode}) to ifindex {ifindex}", -fd);
    }

    /// <summary>Test-runs a program held by fd, e.g. one opened from its pin.</summary>
    public static TestRunResult TestRun(SafeHandle program, ReadOnlySpan<byte> data, int repeat) =>
        TestRun((int)program.DangerousGetHandle(), "pinned program", data, repeat);

    internal static TestRunResult TestRun(int fd, string name, ReadOnlySpan<byte> data, int repeat)
    {
        fixed (byte* input = data)
        {
            var opts = new Libbpf.TestRunOptions
            {
                Size = (nuint)sizeof(Libbpf.TestRunOptions),
                DataIn = input,
                DataSizeIn = (uint)data.Length,
                Repeat = repeat,
            };
            BpfException.Check(Libbpf.ProgTestRun(fd, &opts), $"test run of {name}");
            return new TestRunResult(opts.Retval, opts.Duration);
        }
    }

    /// <summary>The mode of the XDP program attached to an interface, or null when none is.</summary>
    public static XdpMode? XdpAttachedMode(int ifindex)
    {
        var opts = new XdpQueryOptions { Size = (nuint)sizeof(XdpQueryOptions) };
        BpfException.Check(Libbpf.XdpQuery(ifindex, 0, &opts), $"query XDP on ifindex {ifindex}");
        return opts.AttachMode switch
        {
            1 => XdpMode.Native,
            2 => XdpMode.Generic,
            3 => XdpMode.Offload,
            _ => null,
        };
    }
}

/// <summary>Where an XDP program runs: in the driver, or generically on the socket buffer (slower; any device).</summary>
public enum XdpMode
{
    /// <summary>XDP_FLAGS_SKB_MODE.</summary>
    Generic = 2,
    /// <summary>XDP_FLAGS_DRV_MODE.</summary>
    Native = 4,
    /// <summary>XDP_FLAGS_HW_MODE.</summary>
    Offload = 8,
}
