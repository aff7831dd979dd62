using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Guard.Rules;

/// <summary>An IPv4 or IPv6 network: address plus prefix length, host bits clear.</summary>
public readonly record struct Cidr
{
    private Cidr(IPAddress network, int prefixLength)
    {
        Network = network;
        PrefixLength = prefixLength;
    }

    public IPAddress Network { get; }

    public int PrefixLength { get; }

    public bool IsV4 => Network.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>Left-aligned address bits, so v4 and v6 mask the same way.</summary>
    internal UInt128 Bits => ToBits(Network);

    /// <summary>Parses <c>ADDR/LEN</c> or a bare address (a host route); rejects host bits set.</summary>
    public static Cidr Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("an empty string is not a CIDR");
        }
        string trimmed = text.Trim();
        int slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || addressText.Contains('%', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a CIDR: '{addressText}' is not an IPv4 or IPv6 address");
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int length = max;
        if (slash >= 0 && (!int.TryParse(trimmed.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > max))
        {
            throw new FormatException($"'{text}' is not a CIDR: the prefix length must be 0 to {max}");
        }
        UInt128 bits = ToBits(address);
        UInt128 masked = bits & Mask(length);
        if (masked != bits)
        {
            throw new FormatException($"'{text}' has host bits set; the network is {FromBits(masked, max == 32)}/{length}");
        }
        return new Cidr(address, length);
    }

    /// <summary>The network of <paramref name="address"/> cut to <paramref name="prefixLength"/> bits.</summary>
    public static Cidr Of(IPAddress address, int prefixLength)
    {
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        return new Cidr(FromBits(ToBits(address) & Mask(prefixLength), v4), prefixLength);
    }

    public bool Contains(Cidr other) =>
        IsV4 == other.IsV4 && other.PrefixLength >= PrefixLength && (other.Bits & Mask(PrefixLength)) == Bits;

    public bool Contains(IPAddress address) => Contains(new Cidr(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));

    public byte[] AddressBytes() => Network.GetAddressBytes();

    public override string ToString() => $"{Network}/{PrefixLength}";

    internal static UInt128 Mask(int prefixLength) => prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefixLength);

    private static UInt128 ToBits(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress FromBits(UInt128 bits, bool v4)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, bits);
        return new IPAddress(v4 ? bytes[..4] : bytes);
    }
}
