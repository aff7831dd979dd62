using System.Runtime.InteropServices;

namespace Vigil.Sensors.Process;

/// <summary>Mirror of <c>struct vigil_exec_record</c>; followed by the path, NUL-separated argv and the cwd.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct ExecRecord
{
    public RecordHeader Hdr;
    public ProcessRecord Proc;
    public ulong CapEffective;
    public ulong CapPermitted;
    public uint OldPid;
    public uint TtyNr;
    public uint LoginUid;
    public ushort PathLen;
    public ushort ArgsLen;
    public ushort CwdLen;
    public byte ArgsTruncated;
    public byte ExeFlags;
    public fixed byte Pad[4];
}

/// <summary>Mirror of <c>struct vigil_fork_record</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ForkRecord
{
    public RecordHeader Hdr;
    public ProcessRecord Parent;
    public uint ChildPid;
    public uint Pad;
    public ulong ChildStartBoottimeNs;
}

/// <summary>Mirror of <c>struct vigil_cgroup_record</c> (bpf/include/vigil/cgroup.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct CgroupRecord
{
    /// <summary>VIGIL_CGROUP_PATH_MAX.</summary>
    public const int PathMax = 1024;

    public RecordHeader Hdr;
    public ulong CgroupId;
    public fixed byte Path[PathMax];
}

/// <summary>Mirror of <c>struct vigil_exit_record</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct ExitRecord
{
    public RecordHeader Hdr;
    public ProcessRecord Proc;
    public uint ExitCode;
    public uint Signal;
    public byte CoreDumped;
    public fixed byte Pad[7];
}
