using Vigil.Events;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.File;

/// <summary>Turns file-sensor records into file events.</summary>
public sealed class FileDecoder(IEventSink sink) : JudgedDecoder(sink)
{
    public override VigilEvent Decode(ReadOnlySpan<byte> record)
    {
        ref readonly FileRecord r = ref RecordReader.Fixed<FileRecord>(record);
        if ((RecordKind)r.Hdr.Kind != RecordKind.File)
        {
            throw new CorruptRecordException($"file sensor: unknown record kind {r.Hdr.Kind}");
        }
        string syscall = FileSyscalls.Name(r.Syscall) ?? throw new CorruptRecordException($"file sensor: unknown syscall {r.Syscall}");
        ReadOnlySpan<byte> tail = RecordReader.Tail<FileRecord>(record, r.PathLen + r.TargetLen);
        return new FileEvent
        {
            Timestamp = BootClock.ToWallTime(r.Hdr.KtimeNs),
            Process = RecordReader.Identity(r.Proc),
            Syscall = syscall,
            Path = RecordReader.CString(tail[..r.PathLen]),
            TargetPath = RecordReader.CString(tail.Slice(r.PathLen, r.TargetLen)),
            Intent = (FileIntent)r.Intent,
            Flags = r.Flags,
            Mode = r.Mode,
            Result = r.Result,
            Policy = Tables?.Match(r.Verdict),
        };
    }
}
