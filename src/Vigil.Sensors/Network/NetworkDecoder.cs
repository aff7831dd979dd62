using System.Net;
using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Network;

/// <summary>Turns connection records (connect, accept, close) into network events.</summary>
public sealed class NetworkDecoder(IEventSink sink) : IRecordConsumer
{
    private long _corrupt;

    /// <summary>Records that could not be decoded (bad kind or lengths): counted, never guessed at.</summary>
    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        try
        {
            sink.Publish(Decode(record));
        }
        catch (CorruptRecordException)
        {
            Interlocked.Increment(ref _corrupt);
        }
    }

    public static NetworkEvent Decode(ReadOnlySpan<byte> record)
    {
        ref readonly ConnRecord r = ref RecordReader.Fixed<ConnRecord>(record);
        string syscall = (RecordKind)r.Hdr.Kind switch
        {
            RecordKind.Connect => "connect",
            RecordKind.Accept => "accept",
            RecordKind.Close => "close",
            _ => throw new CorruptRecordException($"network sensor: unknown record kind {r.Hdr.Kind}"),
        };
        (IPAddress source, IPAddress destination) = Addresses(r.Tuple);
        return new NetworkEvent
        {
            Timestamp = BootClock.ToWallTime(r.Hdr.KtimeNs),
            Process = RecordReader.Identity(r.Proc),
            Syscall = syscall,
            Protocol = Protocol(r.Tuple.Protocol),
            Direction = Direction(r.Tuple.Direction),
            SourceAddress = source,
            SourcePort = r.Tuple.Sport,
            DestinationAddress = destination,
            DestinationPort = r.Tuple.Dport,
            BytesSent = r.BytesSent,
            BytesReceived = r.BytesReceived,
            Result = r.Result,
            FilterGeneration = r.Generation,
        };
    }

    public static unsafe (IPAddress Source, IPAddress Destination) Addresses(in NetTuple t)
    {
        int length = t.Family switch
        {
            4 => 4,
            6 => 16,
            _ => throw new CorruptRecordException($"network sensor: address family {t.Family}"),
        };
        fixed (byte* s = t.Saddr)
        fixed (byte* d = t.Daddr)
        {
            return (new IPAddress(new ReadOnlySpan<byte>(s, length)), new IPAddress(new ReadOnlySpan<byte>(d, length)));
        }
    }

    public static TransportProtocol Protocol(byte protocol) => protocol switch
    {
        6 => TransportProtocol.Tcp,
        17 => TransportProtocol.Udp,
        _ => throw new CorruptRecordException($"network sensor: protocol {protocol}"),
    };

    public static NetworkDirection Direction(byte direction) => direction switch
    {
        0 => NetworkDirection.Outbound,
        1 => NetworkDirection.Inbound,
        _ => throw new CorruptRecordException($"network sensor: direction {direction}"),
    };
}
