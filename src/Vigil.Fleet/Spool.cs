using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Vigil.Fleet;

/// <summary>
/// Messages waiting for NATS, on disk, in order: append-only segment files (<c>NNNNNNNNNNNN.seg</c>)
/// of length-prefixed records, read from the oldest. A segment is deleted once every record in it has
/// been handed on. The total is bounded: an append that would exceed it is refused, and the caller
/// counts it. After a restart the remaining segments are read from their start; JetStream's
/// duplicate window drops what had already been sent. Not thread-safe: one owner at a time.
/// </summary>
public sealed class Spool : IDisposable
{
    private const string Extension = ".seg";
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly Queue<string> _segments = new();
    private FileStream? _writer;
    private FileStream? _reader;
    private long _bytes;
    private long _nextSegment;
    private int _count;

    public Spool(string directory, long maxBytes, long segmentBytes)
    {
        _directory = directory;
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(directory);
        foreach (string file in Directory.GetFiles(directory, "*" + Extension).Order(StringComparer.Ordinal))
        {
            _segments.Enqueue(file);
            _bytes += new FileInfo(file).Length;
            _count += CountRecords(file);
            _nextSegment = Math.Max(_nextSegment, long.Parse(Path.GetFileNameWithoutExtension(file), CultureInfo.InvariantCulture) + 1);
        }
    }

    /// <summary>Records waiting.</summary>
    public int Count => _count;

    /// <summary>Bytes on disk, records already handed on included until their segment goes.</summary>
    public long Bytes => _bytes;

    public bool IsEmpty => _count == 0;

    /// <summary>Appends at the end; false when it would exceed the bound (nothing is written).</summary>
    public bool TryAppend(FleetMessage message)
    {
        byte[] record = Encode(message);
        if (_bytes + record.Length > _maxBytes)
        {
            return false;
        }
        if (_writer is null || _writer.Length + record.Length > _segmentBytes)
        {
            StartSegment();
        }
        _writer!.Write(record);
        _writer.Flush();
        _bytes += record.Length;
        _count++;
        return true;
    }

    /// <summary>The oldest record, without removing it; false when the spool is empty.</summary>
    public bool TryPeek(out FleetMessage message, out long next)
    {
        message = null!;
        next = 0;
        while (_count > 0)
        {
            _reader ??= new FileStream(_segments.Peek(), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long start = _reader.Position;
            if (TryRead(_reader, out message))
            {
                next = _reader.Position;
                _reader.Position = start;
                return true;
            }
            if (!DropReadSegment())
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Removes the record <see cref="TryPeek"/> returned (<paramref name="next"/> is where the one after it starts).</summary>
    public void Advance(long next)
    {
        _reader!.Position = next;
        _count--;
        if (_count == 0)
        {
            // Everything was handed on: start afresh rather than keep an empty tail segment.
            while (DropReadSegment())
            {
            }
        }
    }

    /// <summary>Closes and deletes the segment being read; false when no segment is left.</summary>
    private bool DropReadSegment()
    {
        if (_segments.Count == 0)
        {
            return false;
        }
        string file = _segments.Dequeue();
        _reader?.Dispose();
        _reader = null;
        if (_writer is not null && _writer.Name == file)
        {
            _writer.Dispose();
            _writer = null;
        }
        _bytes -= new FileInfo(file).Length;
        File.Delete(file);
        return _segments.Count > 0;
    }

    private void StartSegment()
    {
        _writer?.Dispose();
        string file = Path.Combine(_directory, _nextSegment++.ToString("D12", CultureInfo.InvariantCulture) + Extension);
        _writer = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
        _segments.Enqueue(file);
    }

    // Record: u32 body length, then u16 subject length, subject, u16 id length, id, payload (all little-endian UTF-8).
    private static byte[] Encode(FleetMessage m)
    {
        int subject = Encoding.UTF8.GetByteCount(m.Subject);
        int id = Encoding.UTF8.GetByteCount(m.MessageId);
        int body = 2 + subject + 2 + id + m.Payload.Length;
        var record = new byte[4 + body];
        Span<byte> s = record;
        BinaryPrimitives.WriteInt32LittleEndian(s, body);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], (ushort)subject);
        Encoding.UTF8.GetBytes(m.Subject, s[6..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[(6 + subject)..], (ushort)id);
        Encoding.UTF8.GetBytes(m.MessageId, s[(8 + subject)..]);
        m.Payload.Span.CopyTo(s[(8 + subject + id)..]);
        return record;
    }

    /// <summary>Reads one record; false at the end of the segment or at a record cut short by a crash.</summary>
    private static bool TryRead(FileStream stream, out FleetMessage message)
    {
        message = null!;
        Span<byte> header = stackalloc byte[4];
        if (stream.Length - stream.Position < 4)
        {
            return false;
        }
        stream.ReadExactly(header);
        int body = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (body < 4 || stream.Length - stream.Position < body)
        {
            return false;
        }
        var bytes = new byte[body];
        stream.ReadExactly(bytes);
        int subject = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        int id = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 + subject));
        message = new FleetMessage(
            Encoding.UTF8.GetString(bytes, 2, subject),
            Encoding.UTF8.GetString(bytes, 4 + subject, id),
            bytes.AsMemory(4 + subject + id));
        return true;
    }

    private static int CountRecords(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read);
        int count = 0;
        while (TryRead(stream, out _))
        {
            count++;
        }
        return count;
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _reader?.Dispose();
    }
}
