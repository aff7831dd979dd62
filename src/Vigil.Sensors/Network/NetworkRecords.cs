using System.Runtime.InteropServices;

namespace Vigil.Sensors.Network;

/// <summary>Mirror of <c>struct vigil_net_tuple</c> (bpf/include/vigil/network.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NetTuple
{
    public fixed byte Saddr[16];
    public fixed byte Daddr[16];
    public ushort Sport;
    public ushort Dport;
    public byte Family;
    public byte Protocol;
    public byte Direction;
    public byte Pad;
}

/// <summary>Mirror of <c>struct vigil_conn_record</c>: connect, accept or close.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ConnRecord
{
    public RecordHeader Hdr;
    public ProcessRecord Proc;
    public NetTuple Tuple;
    public ulong BytesSent;
    public ulong BytesReceived;
    public int Result;
    public uint Generation;
}

/// <summary>Mirror of <c>struct vigil_sock_owner</c> (socket-local storage; checked, not read).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockOwner
{
    public ProcessRecord Proc;
    public NetTuple Tuple;
    public byte Direction;
    public byte Reported;
    public fixed byte Pad[6];
}

/// <summary>Mirror of <c>struct vigil_flow_key</c>: local and remote end as the packets show them.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FlowKey
{
    public NetTuple Tuple;
    public uint Pid;
    public uint Pad;
    public ulong StartBoottimeNs;
}

/// <summary>Mirror of <c>struct vigil_flow_counters</c>, one per CPU.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FlowCounters
{
    public ProcessRecord Proc;
    public ulong BytesSent;
    public ulong BytesReceived;
    public ulong PacketsSent;
    public ulong PacketsReceived;
    public ulong FirstSentNs;
    public ulong FirstReceivedNs;
    public ulong LastNs;
    public uint Generation;
    public byte Selected;
    public fixed byte Pad[3];
}

/// <summary>Mirror of <c>struct vigil_net_state</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NetState
{
    public uint Generation;
    public uint Pad;
}

/// <summary>Mirror of <c>struct vigil_net_config</c>: per generation, one bit per rule in each mask.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NetConfig
{
    public ulong Rules;
    public ulong Post;
    public ulong Deny;
    public ulong AnyDestination;
    public ulong AnySource;
    public ulong AnyPort;
    public ulong Tcp;
    public ulong Udp;
    public ulong Outbound;
    public ulong Inbound;
    public uint Enabled;
    public uint Pad;
}

/// <summary>Mirror of <c>struct vigil_net_key_v4</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NetKeyV4
{
    public uint Prefixlen;
    public uint Generation;
    public fixed byte Addr[4];
}

/// <summary>Mirror of <c>struct vigil_net_key_v6</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NetKeyV6
{
    public uint Prefixlen;
    public uint Generation;
    public fixed byte Addr[16];
}

/// <summary>Mirror of <c>struct vigil_net_key_port</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct NetKeyPort
{
    public uint Prefixlen;
    public uint Generation;
    public fixed byte Port[2];
}

/// <summary>Slots of the per-CPU <c>net_counters</c> array (<c>enum vigil_net_slot</c>).</summary>
internal static class NetSlot
{
    public const uint Shipped = 0;
    public const uint Filtered = 1;
    public const uint Denied = 2;
    public const uint FlowsFull = 3;
    public const uint Rules = 8;
    public const int MaxRules = 64;
}
