using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.File;

/// <summary>Turns file-sensor records into file events, with the policy rules that let them through.</summary>
public sealed class FileDecoder(IEventSink sink) : IRecordConsumer
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

    public static FileEvent Decode(ReadOnlySpan<byte> record, PolicyTables? tables)
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
            Policy = tables?.Match(r.Verdict),
        };
    }
}
