using System.Net;
using Vigil.Events;

namespace Vigil.Sensors.Network;

/// <summary>
/// One flow of one process since it was first seen: its local and remote end and what it moved.
/// Bytes are payload (transport headers left out), counted from the local process's side.
/// </summary>
public sealed record FlowSummary
{
    public required ProcessIdentity Process { get; init; }

    public required TransportProtocol Protocol { get; init; }

    /// <summary>Outbound when this side sent first.</summary>
    public required NetworkDirection Direction { get; init; }

    public required IPAddress LocalAddress { get; init; }

    public required ushort LocalPort { get; init; }

    public required IPAddress RemoteAddress { get; init; }

    public required ushort RemotePort { get; init; }

    public ulong BytesSent { get; init; }

    public ulong BytesReceived { get; init; }

    public ulong PacketsSent { get; init; }

    public ulong PacketsReceived { get; init; }

    public ulong Bytes => BytesSent + BytesReceived;

    public ulong Packets => PacketsSent + PacketsReceived;

    public required DateTime FirstSeen { get; init; }

    public required DateTime LastSeen { get; init; }
}

/// <summary>What <see cref="FlowTable.Top"/> ranks flows by.</summary>
public enum FlowOrder
{
    Bytes,
    Packets,
}
