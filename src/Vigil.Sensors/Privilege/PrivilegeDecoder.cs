using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.Privilege;

/// <summary>Turns privilege-sensor records into privilege events, with the policy rules that let them through.</summary>
public sealed class PrivilegeDecoder(IEventSink sink) : IRecordConsumer
{
    private long _corrupt;

    /// <summary>Names the rules of each generation; set when the sensor runs.</summary>
    public PolicyTables? Tables { get; set; }

    /// <summary>Records that could not be decoded: counted, never guessed at.</summary>
    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        try
        {
            sink.Publish(Decode(record, Tables));
        }
        catch (CorruptRecordException)
        {
            Interlocked.Increment(ref _corrupt);
        }
    }

    public static PrivilegeEvent Decode(ReadOnlySpan<byte> record, PolicyTables? tables)
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
            Policy = tables?.Match(r.Verdict),
        };
    }
}
