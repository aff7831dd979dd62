namespace Vigil.Guard.Rules;

/// <summary>IP protocol numbers, ICMP types and TCP flag bits rules may name.</summary>
public static class RuleProtocols
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Icmpv6 = 58;

    public static readonly IReadOnlyDictionary<string, byte> Protocols = new Dictionary<string, byte>(StringComparer.OrdinalIgnoreCase)
    {
        ["icmp"] = Icmp,
        ["tcp"] = Tcp,
        ["udp"] = Udp,
        ["icmpv6"] = Icmpv6,
    };

    /// <summary>Echo request/reply names per protocol (ICMP and ICMPv6 number them differently).</summary>
    public static byte? IcmpType(byte protocol, string name) => (protocol, name.ToLowerInvariant()) switch
    {
        (Icmp, "echo-request") => 8,
        (Icmp, "echo-reply") => 0,
        (Icmpv6, "echo-request") => 128,
        (Icmpv6, "echo-reply") => 129,
        _ => null,
    };

    public static readonly IReadOnlyDictionary<string, byte> TcpFlags = new Dictionary<string, byte>(StringComparer.OrdinalIgnoreCase)
    {
        ["fin"] = 0x01,
        ["syn"] = 0x02,
        ["rst"] = 0x04,
        ["psh"] = 0x08,
        ["ack"] = 0x10,
        ["urg"] = 0x20,
        ["ece"] = 0x40,
        ["cwr"] = 0x80,
    };

    public static string Name(byte protocol) =>
        Protocols.FirstOrDefault(p => p.Value == protocol).Key ?? protocol.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
