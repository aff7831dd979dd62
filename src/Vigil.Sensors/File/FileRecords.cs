using System.Runtime.InteropServices;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.File;

/// <summary>Mirror of <c>struct vigil_file_record</c> (bpf/include/vigil/file.h); followed by the path and the target path.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FileRecord
{
    public RecordHeader Hdr;
    public ProcessRecord Proc;
    public VerdictRecord Verdict;
    public long Result;
    public uint Flags;
    public uint Mode;
    public ushort PathLen;
    public ushort TargetLen;
    public byte Syscall;
    public byte Intent;
    public fixed byte Pad[2];
}
