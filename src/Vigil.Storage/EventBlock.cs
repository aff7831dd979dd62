using System.Text;
using Vigil.Events;
using Vigil.Storage.Records;

namespace Vigil.Storage;

/// <summary>
/// The events of one block of one process name while a batch is written, and the block's format:
/// per event its time, pid, type, exec id, container (or none) and JSON, written by <see cref="Pack"/>
/// and read by <see cref="Read"/> (<see cref="BinaryWriter"/> and <see cref="BinaryReader"/> encodings),
/// the whole block compressed as one zstd frame.
/// </summary>
internal sealed class EventBlock
{
    /// <summary>zstd's fastest regular level: about Deflate's ratio on this JSON at several times its speed.</summary>
    public const int CompressionLevel = 1;

    private readonly List<(VigilEvent Event, string Type, long Time, string? Container)> _events = new(EventBlocks.MaxEvents);

    public string Name { get; private set; } = "";

    public int Count => _events.Count;

    public long Types { get; private set; }

    public long FirstTime { get; private set; } = long.MaxValue;

    public long LastTime { get; private set; } = long.MinValue;

    public IReadOnlyList<(VigilEvent Event, string Type, long Time, string? Container)> Events => _events;

    /// <summary>The packed and compressed events, once <see cref="BlockEncoder"/> made them.</summary>
    public byte[] Data { get; set; } = [];

    public void Start(string name) => Name = name;

    public void Add(VigilEvent e, string type, long time, string? container)
    {
        _events.Add((e, type, time, container));
        Types |= TypeBits.Of(type);
        FirstTime = Math.Min(FirstTime, time);
        LastTime = Math.Max(LastTime, time);
    }

    public void Clear()
    {
        _events.Clear();
        Name = "";
        Data = [];
        Types = 0;
        FirstTime = long.MaxValue;
        LastTime = long.MinValue;
    }

    /// <summary>Appends one event in the block format.</summary>
    public static void Pack(BinaryWriter writer, long time, uint pid, string type, ExecId execId, string? container, ReadOnlySpan<byte> json)
    {
        writer.Write(time);
        writer.Write(pid);
        writer.Write(type);
        // As BinaryWriter.Write(string) would write the exec id's text, without making the string.
        Span<char> text = stackalloc char[ExecId.MaxLength];
        execId.TryFormat(text, out int length);
        Span<byte> utf8 = stackalloc byte[ExecId.MaxLength];
        int bytes = Encoding.UTF8.GetBytes(text[..length], utf8);
        writer.Write7BitEncodedInt(bytes);
        writer.Write(utf8[..bytes]);
        writer.Write(container ?? "");
        writer.Write(json.Length);
        writer.Write(json);
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
