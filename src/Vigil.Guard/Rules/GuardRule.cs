namespace Vigil.Guard.Rules;

/// <summary>
/// One rule of a rule set: what it matches (protocol, source network, destination ports, TCP
/// flags, ICMP type; unset means any) and what it does. The first matching rule decides.
/// </summary>
public sealed record GuardRule
{
    public required string Name { get; init; }

    public required GuardAction Action { get; init; }

    /// <summary>IP protocol number; 0 = any.</summary>
    public byte Protocol { get; init; }

    public Cidr? Source { get; init; }

    public ushort PortLow { get; init; }

    public ushort PortHigh { get; init; } = ushort.MaxValue;

    public byte TcpFlagsMask { get; init; }

    public byte TcpFlagsValue { get; init; }

    /// <summary>ICMP (or ICMPv6) type; null = any.</summary>
    public byte? IcmpType { get; init; }

    /// <summary>Limit rules: packets per second per source prefix, and the burst allowed above it.</summary>
    public uint RatePps { get; init; }

    public uint Burst { get; init; }

    /// <summary>Limit rules: sources are cut to these prefixes before they get a bucket.</summary>
    public int LimitPrefixV4 { get; init; } = 32;

    public int LimitPrefixV6 { get; init; } = 64;

    public bool HasPorts => PortLow != 0 || PortHigh != ushort.MaxValue;
}
