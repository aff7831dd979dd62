using System.Text;
using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Process;

/// <summary>Turns process-sensor records into exec, fork and exit events, and hands created cgroups to <paramref name="cgroups"/>.</summary>
public sealed class ProcessDecoder(IEventSink sink, ICgroupSink? cgroups = null) : IRecordConsumer
{
    /// <summary>VIGIL_EXE_FROM_MEMFD of bpf/include/vigil/process.h.</summary>
    private const byte ExeFromMemfdFlag = 1;

    private long _corrupt;

    /// <summary>Records that could not be decoded (bad kind or lengths): counted, never guessed at.</summary>
    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        try
        {
            if (RecordReader.Fixed<RecordHeader>(record).Kind == (ushort)RecordKind.CgroupMkdir)
            {
                LearnCgroup(record);
                return;
            }
            VigilEvent e = Decode(record);
            sink.Publish(e);
        }
        catch (CorruptRecordException)
        {
            Interlocked.Increment(ref _corrupt);
        }
    }

    public static VigilEvent Decode(ReadOnlySpan<byte> record)
    {
        ref readonly RecordHeader header = ref RecordReader.Fixed<RecordHeader>(record);
        DateTime time = BootClock.ToWallTime(header.KtimeNs);
        switch ((RecordKind)header.Kind)
        {
            case RecordKind.Exec:
            {
                ref readonly ExecRecord r = ref RecordReader.Fixed<ExecRecord>(record);
                ReadOnlySpan<byte> tail = RecordReader.Tail<ExecRecord>(record, r.PathLen + r.ArgsLen + r.CwdLen);
                return new ProcessExecEvent
                {
                    Timestamp = time,
                    Process = RecordReader.Identity(r.Proc),
                    Binary = RecordReader.CString(tail[..r.PathLen]),
                    Args = SplitArgs(tail.Slice(r.PathLen, r.ArgsLen)),
                    ArgsTruncated = r.ArgsTruncated != 0,
                    Details = new ExecDetails
                    {
                        Cwd = RecordReader.CString(tail.Slice(r.PathLen + r.ArgsLen, r.CwdLen)),
                        Tty = r.TtyNr,
                        CapEffective = r.CapEffective,
                        CapPermitted = r.CapPermitted,
                        LoginUid = r.LoginUid,
                        ExeFromMemfd = (r.ExeFlags & ExeFromMemfdFlag) != 0,
                    },
                };
            }
            case RecordKind.Fork:
            {
                ref readonly ForkRecord r = ref RecordReader.Fixed<ForkRecord>(record);
                return new ProcessForkEvent
                {
                    Timestamp = time,
                    Process = RecordReader.Identity(r.Parent),
                    ChildPid = r.ChildPid,
                    ChildExecId = BootClock.ExecIdFromKernel(r.ChildPid, r.ChildStartBoottimeNs),
                };
            }
            case RecordKind.Exit:
            {
                ref readonly ExitRecord r = ref RecordReader.Fixed<ExitRecord>(record);
                return new ProcessExitEvent
                {
                    Timestamp = time,
                    Process = RecordReader.Identity(r.Proc),
                    ExitCode = r.ExitCode,
                    Signal = r.Signal,
                    CoreDumped = r.CoreDumped != 0,
                };
            }
            default:
                throw new CorruptRecordException($"process sensor: unknown record kind {header.Kind}");
        }
    }

    private unsafe void LearnCgroup(ReadOnlySpan<byte> record)
    {
        ref readonly CgroupRecord r = ref RecordReader.Fixed<CgroupRecord>(record);
        fixed (byte* path = r.Path)
        {
            cgroups?.Created(r.CgroupId, RecordReader.CString(new ReadOnlySpan<byte>(path, CgroupRecord.PathMax)));
        }
    }

    /// <summary>argv as the kernel stores it: NUL-terminated strings back to back.</summary>
    public static string[] SplitArgs(ReadOnlySpan<byte> args)
    {
        if (args.IsEmpty)
        {
            return [];
        }
        if (args[^1] == 0)
        {
            args = args[..^1];
        }
        int count = args.Count((byte)0) + 1;
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            int end = args.IndexOf((byte)0);
            ReadOnlySpan<byte> arg = end < 0 ? args : args[..end];
            result[i] = Encoding.UTF8.GetString(arg);
            args = end < 0 ? [] : args[(end + 1)..];
        }
        return result;
    }
}
