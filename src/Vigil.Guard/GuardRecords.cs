using System.Runtime.InteropServices;
using Vigil.Sensors;

namespace Vigil.Guard;

// Mirrors of bpf/include/vigil/xdp.h, checked against the object's BTF when the guard loads.

/// <summary>Mirror of <c>enum vigil_xdp_action</c>.</summary>
public enum GuardAction : byte
{
    Pass = 0,
    Drop = 1,
    Limit = 2,
}

/// <summary>Mirror of <c>enum vigil_xdp_slot</c>: counters that are not a rule's.</summary>
public enum GuardSlot
{
    Default = 0,
    Allow = 1,
    Deny = 2,
    Ban = 3,
    Neighbour = 4,
    NonIp = 5,
    Malformed = 6,
    Rules = 8,
}

public static class GuardLimits
{
    public const int Schema = 1;
    public const int MaxRules = 64;
    public const int SampleBytes = 128;
}

[StructLayout(LayoutKind.Sequential)]
public struct GuardCounter
{
    public ulong Packets;
    public ulong Bytes;
    public ulong Dropped;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LpmKeyV4
{
    public uint Prefixlen;
    public uint Generation;
    public fixed byte Addr[4];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LpmKeyV6
{
    public uint Prefixlen;
    public uint Generation;
    public fixed byte Addr[16];
}

[StructLayout(LayoutKind.Sequential)]
internal struct ListEntry
{
    public uint Action;
    public uint Pad;
}

[StructLayout(LayoutKind.Sequential)]
internal struct BanValue
{
    public ulong ExpiresNs;
    public uint Origin;
    public uint Pad;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RuleValue
{
    public fixed ulong SrcAddr[2];
    public fixed ulong SrcMask[2];
    public ulong IntervalNs;
    public ulong ToleranceNs;
    public uint RatePps;
    public uint Burst;
    public ushort DportLo;
    public ushort DportHi;
    public byte Action;
    public byte Protocol;
    public byte Family;
    public byte SrcPrefixlen;
    public byte TcpFlagsMask;
    public byte TcpFlagsValue;
    public byte IcmpType;
    public byte LimitPrefixV4;
    public byte LimitPrefixV6;
    public fixed byte Pad[7];
    public fixed byte Name[24];
}

[StructLayout(LayoutKind.Sequential)]
internal struct ConfigValue
{
    public uint RuleCount;
    public uint DefaultAction;
    public uint Enforce;
    public uint SampleEvery;
}

[StructLayout(LayoutKind.Sequential)]
internal struct StateValue
{
    public uint Schema;
    public uint Generation;
    public ulong AppliedNs;
}

/// <summary>Mirror of <c>struct vigil_xdp_sample</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SampleRecord
{
    public RecordHeader Hdr;
    public uint Ifindex;
    public ushort Slot;
    public byte Dropped;
    public byte Family;
    public fixed byte Saddr[16];
    public ushort PacketLen;
    public ushort Captured;
    public fixed byte Pad[4];
    public fixed byte Data[GuardLimits.SampleBytes];
}
