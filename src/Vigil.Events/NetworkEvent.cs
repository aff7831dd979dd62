using System.Net;

namespace Vigil.Events;

public enum NetworkDirection
{
    Outbound,
    Inbound,
}

public enum TransportProtocol
{
    Tcp = 6,
    Udp = 17,
}

/// <summary>A connection or flow: connect, accept, close (with bytes), or a UDP flow summary.</summary>
public sealed class NetworkEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Network;

    /// <summary>connect, accept, close, or sendmsg/recvmsg for UDP flow summaries.</summary>
    public required string Syscall { get; init; }

    public required TransportProtocol Protocol { get; init; }

    public required NetworkDirection Direction { get; init; }

    public required IPAddress SourceAddress { get; init; }

    public required ushort SourcePort { get; init; }

    public required IPAddress DestinationAddress { get; init; }

    public required ushort DestinationPort { get; init; }

    public ulong BytesSent { get; init; }

    public ulong BytesReceived { get; init; }

    public long Result { get; init; }

    /// <summary>The generation of the network filter that judged the event in the kernel; 0 when none was in force.</summary>
    public uint FilterGeneration { get; init; }
}
