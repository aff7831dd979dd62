using Vigil.Events;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.Privilege;

/// <summary>Turns privilege-sensor records into privilege events.</summary>
public sealed class PrivilegeDecoder(IEventSink sink) : JudgedDecoder(sink)
{
    public override VigilEvent Decode(ReadOnlySpan<byte> record)
    {
        ref readonly PrivilegeRecord r = ref RecordReader.Fixed<PrivilegeRecord>(record);
        if ((RecordKind)r.Hdr.Kind != RecordKind.Privilege)
        {
            throw new CorruptRecordException($"privilege sensor: unknown record kind {r.Hdr.Kind}");
        }
        string syscall = PrivilegeSyscalls.Name(r.Syscall) ?? throw new CorruptRecordException($"privilege sensor: unknown syscall {r.Syscall}");
        return new PrivilegeEvent
        {
            Timestamp = BootClock.ToWallTime(r.Hdr.KtimeNs),
            Process = RecordReader.Identity(r.Proc),
            Syscall = syscall,
            Target = r.Target,
            Flags = r.Flags,
            Name = RecordReader.CString(RecordReader.Tail<PrivilegeRecord>(record, r.NameLen)),
            ToRoot = r.ToRoot != 0,
            Result = r.Result,
            Policy = Tables?.Match(r.Verdict),
        };
    }
}
