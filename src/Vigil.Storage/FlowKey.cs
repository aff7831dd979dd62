using System.Net;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>What makes a <c>flows</c> row one flow: the process, transport, direction and remote end.</summary>
internal readonly record struct FlowKey(ExecId ExecId, TransportProtocol Protocol, bool Outbound, IPAddress Remote, ushort RemotePort)
{
    public string Transport => Protocol == TransportProtocol.Tcp ? "tcp" : "udp";

    public string Direction => Outbound ? "transmit" : "receive";
}
