using System.Text;
using Vigil.Storage.Records;

namespace Vigil.Storage;

/// <summary>
/// The events of one block, uncompressed: per event its time, pid, type, exec id, container (or
/// none) and JSON, written and read by <see cref="BinaryWriter"/> and <see cref="BinaryReader"/>.
/// </summary>
internal sealed class EventBlock
{
    private readonly MemoryStream _raw = new();
    private readonly BinaryWriter _writer;

    public EventBlock() => _writer = new BinaryWriter(_raw, Encoding.UTF8, leaveOpen: true);

    public int Count { get; private set; }

    public long Types { get; private set; }

    public long FirstTime { get; private set; } = long.MaxValue;

    public long LastTime { get; private set; } = long.MinValue;

    public ReadOnlySpan<byte> Raw => _raw.GetBuffer().AsSpan(0, (int)_raw.Length);

    public void Add(string type, long time, uint pid, string execId, string? container, ReadOnlySpan<byte> json)
    {
        _writer.Write(time);
        _writer.Write(pid);
        _writer.Write(type);
        _writer.Write(execId);
        _writer.Write(container ?? "");
        _writer.Write(json.Length);
        _writer.Write(json);
        Count++;
        Types |= TypeBits.Of(type);
        FirstTime = Math.Min(FirstTime, time);
        LastTime = Math.Max(LastTime, time);
    }

    public void Clear()
    {
        _raw.SetLength(0);
        Count = 0;
        Types = 0;
        FirstTime = long.MaxValue;
        LastTime = long.MinValue;
    }

    /// <summary>The events of an uncompressed block that <paramref name="match"/> accepts; <paramref name="firstId"/> is the id of its first event.</summary>
    public static IEnumerable<StoredEvent> Read(Stream raw, long firstId, int count, string name, Func<long, uint, string, string, string?, bool> match)
    {
        using var reader = new BinaryReader(raw, Encoding.UTF8, leaveOpen: true);
        for (int i = 0; i < count; i++)
        {
            long time = reader.ReadInt64();
            uint pid = reader.ReadUInt32();
            string type = reader.ReadString();
            string execId = reader.ReadString();
            string container = reader.ReadString();
            int length = reader.ReadInt32();
            string? containerId = container.Length == 0 ? null : container;
            if (!match(time, pid, type, execId, containerId))
            {
                reader.BaseStream.Seek(length, SeekOrigin.Current);
                continue;
            }
            string json = Encoding.UTF8.GetString(reader.ReadBytes(length));
            yield return new StoredEvent(firstId + i, StoreTime.FromMicros(time), type, pid, execId, name, containerId, json);
        }
    }
}
