using System.Net;
using System.Net.Sockets;
using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// The fd.* fields: the file of a FileEvent or the socket of a NetworkEvent. Falco's client/server
/// is Vigil's source/destination (the side that connected is the client, whatever the direction);
/// local/remote follow the event's Direction. fd.dip and fd.dport are Vigil aliases of fd.sip and fd.sport.
/// </summary>
internal static class FileDescriptorFields
{
    public static void Register(FieldRegistry r)
    {
        r.Number("fd.num", "open family: Result (the new fd), -1 when the open failed", FdNumber);
        r.Text("fd.type", "'file' for FileEvent; 'ipv4' or 'ipv6' for NetworkEvent", c => Kind(c, "file", "ipv4", "ipv6"));
        r.Text("fd.typechar", "'f' for FileEvent; '4' or '6' for NetworkEvent", c => Kind(c, "f", "4", "6"));
        r.Text("fd.name", "FileEvent.Path; NetworkEvent: client:port->server:port", Name);
        r.Text("fd.nameraw", "FileEvent.Path as the sensor recorded it", c => c.Event is FileEvent f ? f.Path.AsMemory() : FieldValues.NoText);
        r.Text("fd.directory", "directory part of FileEvent.Path", Directory);
        r.Text("fd.filename", "file name part of FileEvent.Path", c => c.Event is FileEvent f ? f.Path.AsMemory(f.Path.LastIndexOf('/') + 1) : FieldValues.NoText);
        r.Text("fd.l4proto", "NetworkEvent.Protocol: tcp or udp", c => c.Event is NetworkEvent n ? (n.Protocol == TransportProtocol.Tcp ? "tcp" : "udp").AsMemory() : FieldValues.NoText);
        r.Ip("fd.cip", "NetworkEvent.SourceAddress", c => Net(c)?.SourceAddress);
        r.Ip("fd.sip", "NetworkEvent.DestinationAddress", c => Net(c)?.DestinationAddress);
        r.Ip("fd.dip", "NetworkEvent.DestinationAddress (Vigil alias of fd.sip)", c => Net(c)?.DestinationAddress);
        r.Ip("fd.lip", "local address: Source when outbound, Destination when inbound", c => Local(c)?.Address);
        r.Ip("fd.rip", "remote address: Destination when outbound, Source when inbound", c => Remote(c)?.Address);
        r.Ip("fd.cnet", "NetworkEvent.SourceAddress, compared with CIDR networks", c => Net(c)?.SourceAddress, FieldType.Network);
        r.Ip("fd.snet", "NetworkEvent.DestinationAddress, compared with CIDR networks", c => Net(c)?.DestinationAddress, FieldType.Network);
        r.Ip("fd.lnet", "local address, compared with CIDR networks", c => Local(c)?.Address, FieldType.Network);
        r.Ip("fd.rnet", "remote address, compared with CIDR networks", c => Remote(c)?.Address, FieldType.Network);
        r.Add("fd.ip", FieldType.Ip, "either address of the connection", EitherAddress, FieldShape.AnyOf);
        r.Add("fd.net", FieldType.Network, "either address of the connection, compared with CIDR networks", EitherAddress, FieldShape.AnyOf);
        r.Number("fd.cport", "NetworkEvent.SourcePort", c => Net(c)?.SourcePort);
        r.Number("fd.sport", "NetworkEvent.DestinationPort", c => Net(c)?.DestinationPort);
        r.Number("fd.dport", "NetworkEvent.DestinationPort (Vigil alias of fd.sport)", c => Net(c)?.DestinationPort);
        r.Number("fd.lport", "local port: Source when outbound, Destination when inbound", c => Local(c)?.Port);
        r.Number("fd.rport", "remote port: Destination when outbound, Source when inbound", c => Remote(c)?.Port);
        r.Add("fd.port", FieldType.Number, "either port of the connection", EitherPort, FieldShape.AnyOf);
    }

    private static NetworkEvent? Net(EventContext c) => c.Event as NetworkEvent;

    private static (IPAddress Address, ushort Port)? Local(EventContext c) => Net(c) switch
    {
        null => null,
        { Direction: NetworkDirection.Outbound } n => (n.SourceAddress, n.SourcePort),
        var n => (n.DestinationAddress, n.DestinationPort),
    };

    private static (IPAddress Address, ushort Port)? Remote(EventContext c) => Net(c) switch
    {
        null => null,
        { Direction: NetworkDirection.Outbound } n => (n.DestinationAddress, n.DestinationPort),
        var n => (n.SourceAddress, n.SourcePort),
    };

    public static IPAddress? EitherAddress(EventContext c, int index) => (Net(c), index) switch
    {
        (null, _) => null,
        (var n, 0) => n.SourceAddress,
        (var n, 1) => n.DestinationAddress,
        _ => null,
    };

    public static long? EitherPort(EventContext c, int index) => (Net(c), index) switch
    {
        (null, _) => null,
        (var n, 0) => n.SourcePort,
        (var n, 1) => n.DestinationPort,
        _ => null,
    };

    private static long? FdNumber(EventContext c) =>
        c.Event is FileEvent f && EventFields.IsOpen(f.Syscall) ? Math.Max(f.Result, -1) : null;

    private static ReadOnlyMemory<char>? Kind(EventContext c, string file, string ipv4, string ipv6) => c.Event switch
    {
        FileEvent => file.AsMemory(),
        NetworkEvent n => (n.DestinationAddress.AddressFamily == AddressFamily.InterNetworkV6 ? ipv6 : ipv4).AsMemory(),
        _ => FieldValues.NoText,
    };

    private static ReadOnlyMemory<char>? Directory(EventContext c)
    {
        if (c.Event is not FileEvent f)
        {
            return null;
        }
        int slash = f.Path.LastIndexOf('/');
        return slash switch
        {
            < 0 => ".".AsMemory(),
            0 => "/".AsMemory(),
            _ => f.Path.AsMemory(0, slash),
        };
    }

    private static ReadOnlyMemory<char>? Name(EventContext c)
    {
        switch (c.Event)
        {
            case FileEvent f:
                return f.Path.AsMemory();
            case NetworkEvent n when c.FdName.IsBuilt:
                return c.FdName.Value;
            case NetworkEvent n:
                c.FdName.Append(n.SourceAddress);
                c.FdName.Append(':');
                c.FdName.Append(n.SourcePort);
                c.FdName.Append("->");
                c.FdName.Append(n.DestinationAddress);
                c.FdName.Append(':');
                c.FdName.Append(n.DestinationPort);
                return c.FdName.Complete();
            default:
                return null;
        }
    }
}
