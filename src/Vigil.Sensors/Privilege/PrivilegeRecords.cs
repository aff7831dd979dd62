using System.Runtime.InteropServices;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.Privilege;

/// <summary>Mirror of <c>struct vigil_privilege_record</c> (bpf/include/vigil/privilege.h); followed by the name.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct PrivilegeRecord
{
    public RecordHeader Hdr;
    public ProcessRecord Proc;
    public VerdictRecord Verdict;
    public long Result;
    public long Target;
    public ulong Flags;
    public ushort NameLen;
    public byte Syscall;
    public byte ToRoot;
    public fixed byte Pad[4];
}
