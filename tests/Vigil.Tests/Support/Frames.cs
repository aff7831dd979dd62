using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Tests.Support;

/// <summary>Ethernet frames for BPF_PROG_TEST_RUN of the XDP guard (checksums are not looked at).</summary>
public static class Frames
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Icmp = 1;
    public const byte Icmpv6 = 58;

    /// <summary>
    /// An IPv4 or IPv6 packet from <paramref name="source"/>: TCP (with <paramref name="tcpFlags"/>),
    /// UDP or ICMP echo request, optionally behind VLAN tags, optionally a non-first fragment.
    /// </summary>
    public static byte[] Build(IPAddress source, byte protocol, ushort destinationPort = 80, byte tcpFlags = 0x02,
        int vlanTags = 0, bool laterFragment = false, int payload = 18)
    {
        bool v4 = source.AddressFamily == AddressFamily.InterNetwork;
        var frame = new List<byte>();
        frame.AddRange(new byte[12]); // destination and source MAC
        for (int i = 0; i < vlanTags; i++)
        {
            frame.AddRange(Be16(i == 0 && vlanTags > 1 ? 0x88A8 : 0x8100));
            frame.AddRange(Be16(100 + i)); // TCI
        }
        frame.AddRange(Be16(v4 ? 0x0800 : 0x86DD));
        byte[] l4 = Transport(protocol, destinationPort, tcpFlags, payload, v4);
        if (v4)
        {
            var ip = new byte[20];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(20 + l4.Length));
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), laterFragment ? (ushort)0x00B9 : (ushort)0x4000);
            ip[8] = 64;
            ip[9] = protocol;
            source.GetAddressBytes().CopyTo(ip, 12);
            new byte[] { 10, 99, 99, 99 }.CopyTo(ip, 16);
            frame.AddRange(ip);
        }
        else
        {
            var ip = new byte[40];
            ip[0] = 0x60;
            int fragment = laterFragment ? 8 : 0;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(l4.Length + fragment));
            ip[6] = laterFragment ? (byte)44 : protocol;
            ip[7] = 64;
            source.GetAddressBytes().CopyTo(ip, 8);
            IPAddress.Parse("fd00:99::99").GetAddressBytes().CopyTo(ip, 24);
            frame.AddRange(ip);
            if (laterFragment)
            {
                frame.AddRange([protocol, 0, 0x05, 0xC8, 0, 0, 0, 1]); // offset 185 x 8 bytes
            }
        }
        frame.AddRange(l4);
        return [.. frame];
    }

    /// <summary>An ARP request, and an IPv6 neighbour solicitation.</summary>
    public static byte[] Arp() => [.. new byte[12], 0x08, 0x06, .. new byte[28]];

    public static byte[] NeighbourSolicitation(IPAddress source)
    {
        byte[] frame = Build(source, Icmpv6);
        frame[14 + 40] = 135;
        return frame;
    }

    private static byte[] Transport(byte protocol, ushort port, byte tcpFlags, int payload, bool v4)
    {
        byte[] l4;
        switch (protocol)
        {
            case Tcp:
                l4 = new byte[20 + payload];
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(0), 40000);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), port);
                l4[12] = 0x50;
                l4[13] = tcpFlags;
                break;
            case Udp:
                l4 = new byte[8 + payload];
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(0), 40000);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), port);
                BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
                break;
            default:
                l4 = new byte[8 + payload];
                l4[0] = v4 ? (byte)8 : (byte)128; // echo request
                break;
        }
        return l4;
    }

    private static byte[] Be16(int value) => [(byte)(value >> 8), (byte)value];
}
