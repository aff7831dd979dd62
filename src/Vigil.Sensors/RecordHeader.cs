using System.Runtime.InteropServices;

namespace Vigil.Sensors;

/// <summary>Mirror of <c>struct vigil_header</c> (bpf/include/vigil/common.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RecordHeader
{
    public ushort Kind;
    public ushort Size;
    public uint Cpu;
    public ulong KtimeNs;
}

/// <summary>Mirror of <c>enum vigil_record_kind</c>.</summary>
public enum RecordKind : ushort
{
    Exec = 1,
    Fork = 2,
    Exit = 3,
    CgroupMkdir = 4,
    File = 10,
    Privilege = 20,
    Connect = 30,
    Accept = 31,
    Close = 32,
    Bench = 100,
}

/// <summary>Mirror of <c>struct vigil_process</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct ProcessRecord
{
    public uint Pid;
    public uint Tid;
    public uint Ppid;
    public uint Uid;
    public uint Gid;
    public uint Euid;
    public uint Egid;
    public uint Pad;
    public ulong StartBoottimeNs;
    public ulong ParentStartBoottimeNs;
    public ulong CgroupId;
    public fixed byte Comm[16];
}
