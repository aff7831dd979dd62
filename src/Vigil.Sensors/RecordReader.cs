using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Vigil.Events;

namespace Vigil.Sensors;

/// <summary>Reads fixed record structs and their trailing bytes from a ring-buffer span, checking lengths.</summary>
public static class RecordReader
{
    /// <summary>The record's fixed part; throws <see cref="CorruptRecordException"/> when the span is too short.</summary>
    public static ref readonly T Fixed<T>(ReadOnlySpan<byte> record) where T : unmanaged
    {
        if (record.Length < Unsafe.SizeOf<T>())
        {
            throw new CorruptRecordException($"{typeof(T).Name}: {record.Length} bytes, need {Unsafe.SizeOf<T>()}");
        }
        return ref MemoryMarshal.AsRef<T>(record);
    }

    /// <summary>The variable part after the fixed struct, checked against the lengths the record claims.</summary>
    public static ReadOnlySpan<byte> Tail<T>(ReadOnlySpan<byte> record, int length) where T : unmanaged
    {
        int start = Unsafe.SizeOf<T>();
        if (length < 0 || start + length > record.Length)
        {
            throw new CorruptRecordException($"{typeof(T).Name}: claims {length} trailing bytes, has {record.Length - start}");
        }
        return record.Slice(start, length);
    }

    /// <summary>A NUL-terminated (or full) byte field as text.</summary>
    public static string CString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    public static unsafe ProcessIdentity Identity(in ProcessRecord p)
    {
        fixed (byte* comm = p.Comm)
        {
            return new ProcessIdentity
            {
                Pid = p.Pid,
                Tid = p.Tid,
                ParentPid = p.Ppid,
                Uid = p.Uid,
                Gid = p.Gid,
                EffectiveUid = p.Euid,
                EffectiveGid = p.Egid,
                CgroupId = p.CgroupId,
                Comm = CString(new ReadOnlySpan<byte>(comm, 16)),
                ExecId = BootClock.ExecIdFromKernel(p.Pid, p.StartBoottimeNs),
                ParentExecId = BootClock.ExecIdFromKernel(p.Ppid, p.ParentStartBoottimeNs),
            };
        }
    }
}

/// <summary>A ring-buffer record whose lengths or kind do not add up.</summary>
public sealed class CorruptRecordException : Exception
{
    public CorruptRecordException(string message) : base(message) { }

    public CorruptRecordException() { }

    public CorruptRecordException(string message, Exception inner) : base(message, inner) { }
}
