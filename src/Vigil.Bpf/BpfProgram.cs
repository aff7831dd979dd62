using System.Runtime.InteropServices;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>A program inside a <see cref="BpfObject"/>; attaching it yields a <see cref="BpfLink"/>.</summary>
public sealed unsafe class BpfProgram
{
    private readonly BpfObject _owner;
    private readonly nint _handle;

    internal BpfProgram(BpfObject owner, nint handle)
    {
        _owner = owner;
        _handle = handle;
        Name = LibbpfLog.Utf8(Libbpf.ProgramName(handle));
        Section = LibbpfLog.Utf8(Libbpf.ProgramSectionName(handle));
    }

    public string Name { get; }

    /// <summary>The ELF section, which names the hook (e.g. <c>tp/sched/sched_process_exec</c>).</summary>
    public string Section { get; }

    public int Fd => Libbpf.ProgramFd(Handle);

    /// <summary>False for a program left out of the load (autoload off) or not loaded yet.</summary>
    public bool IsLoaded => Fd >= 0;

    /// <summary>
    /// Runs the kernel skipped because another BPF program was active on that CPU: events lost
    /// before they reach any ring, so no drop counter of ours sees them.
    /// </summary>
    public ulong RecursionMisses => Info().RecursionMisses;

    /// <summary>
    /// How often the program ran and the nanoseconds it spent, counted by the kernel only while
    /// run-time stats are enabled (<see cref="BpfSystem.EnableRunTimeStats"/>).
    /// </summary>
    public (ulong Runs, ulong RunTimeNs) RunStats
    {
        get
        {
            ProgramInfo info = Info();
            return (info.Runs, info.RunTimeNs);
        }
    }

    private readonly record struct ProgramInfo(ulong RunTimeNs, ulong Runs, ulong RecursionMisses);

    private ProgramInfo Info()
    {
        // struct bpf_prog_info up to and including recursion_misses (kernel 5.12+); the kernel
        // fills only as many bytes as we ask for and says how many it knew.
        const int RunTimeOffset = 192, RunCountOffset = 200, RecursionMissesOffset = 208;
        const uint Size = RecursionMissesOffset + sizeof(ulong);
        byte* info = stackalloc byte[(int)Size];
        uint length = Size;
        new Span<byte>(info, (int)length).Clear();
        BpfException.Check(Libbpf.ObjGetInfoByFd(Fd, info, &length), $"{Name}: program info");
        return new ProgramInfo(
            length >= RunTimeOffset + sizeof(ulong) ? *(ulong*)(info + RunTimeOffset) : 0,
            length >= RunCountOffset + sizeof(ulong) ? *(ulong*)(info + RunCountOffset) : 0,
            length >= Size ? *(ulong*)(info + RecursionMissesOffset) : 0);
    }

    private nint Handle
    {
        get
        {
            _ = _owner.Handle;
            return _handle;
        }
    }

    /// <summary>Excludes (or includes) this program from the object's load.</summary>
    public void SetAutoload(bool autoload) =>
        BpfException.Check(Libbpf.ProgramSetAutoload(Handle, autoload), $"{Name}: set autoload");

    /// <summary>Attaches to the hook its section names.</summary>
    public BpfLink Attach() => Link(Libbpf.ProgramAttach(Handle), $"attach {Name} ({Section})");

    public BpfLink AttachXdp(int ifindex) => Link(Libbpf.ProgramAttachXdp(Handle, ifindex), $"attach XDP {Name} to ifindex {ifindex}");

    public BpfLink AttachCgroup(SafeHandle cgroupDirectory)
    {
        bool added = false;
        cgroupDirectory.DangerousAddRef(ref added);
        try
        {
            return Link(Libbpf.ProgramAttachCgroup(Handle, (int)cgroupDirectory.DangerousGetHandle()), $"attach {Name} to cgroup");
        }
        finally
        {
            if (added)
            {
                cgroupDirectory.DangerousRelease();
            }
        }
    }

    /// <summary>Attaches to the cgroup v2 directory at <paramref name="cgroupPath"/> (the link keeps the cgroup).</summary>
    public BpfLink AttachCgroup(string cgroupPath)
    {
        int fd = Libc.Open(cgroupPath, Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec);
        if (fd < 0)
        {
            throw new BpfException($"attach {Name}: cannot open cgroup {cgroupPath}", Marshal.GetLastPInvokeError());
        }
        try
        {
            return Link(Libbpf.ProgramAttachCgroup(Handle, fd), $"attach {Name} to cgroup {cgroupPath}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Pins the loaded program so it can be attached again by a later process.</summary>
    public void Pin(string path) => BpfException.Check(Libbpf.ProgramPin(Handle, path), $"pin {Name} at {path}");

    /// <summary>Runs the program once per repetition over <paramref name="data"/> (BPF_PROG_TEST_RUN).</summary>
    public TestRunResult TestRun(ReadOnlySpan<byte> data, int repeat) => BpfSystem.TestRun(Fd, Name, data, repeat);

    private BpfLink Link(nint link, string what)
    {
        if (link == 0)
        {
            throw new BpfException(what, Marshal.GetLastPInvokeError());
        }
        return new BpfLink(link);
    }

    public override string ToString() => $"{Name} ({Section})";
}

/// <summary>Result of BPF_PROG_TEST_RUN: the program's return value and mean nanoseconds per run.</summary>
public readonly record struct TestRunResult(uint ReturnValue, uint NanosecondsPerRun);
