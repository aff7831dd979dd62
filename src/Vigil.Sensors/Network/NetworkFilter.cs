using System.Net;
using System.Net.Sockets;

namespace Vigil.Sensors.Network;

/// <summary>What happens to a connection a rule selects.</summary>
public enum NetworkAction
{
    /// <summary>Ship the event.</summary>
    Post,

    /// <summary>Count it per rule in the kernel; ship nothing.</summary>
    Count,

    /// <summary>Refuse the connect with EPERM where the connect hooks are attached (enforce mode), and ship the event.</summary>
    Deny,
}

[Flags]
public enum NetworkProtocols
{
    Tcp = 1,
    Udp = 2,
    Any = Tcp | Udp,
}

[Flags]
public enum NetworkDirections
{
    Outbound = 1,
    Inbound = 2,
    Any = Outbound | Inbound,
}

/// <summary>
/// One selector set: it matches a connection when every selector it has matches (an empty list
/// matches anything). Destination is the side that accepted the connection, source the side that
/// connected, whatever the direction; ports are destination ports.
/// </summary>
public sealed record NetworkRule
{
    /// <summary>Names the rule in errors and counters.</summary>
    public required string Name { get; init; }

    public NetworkAction Action { get; init; } = NetworkAction.Post;

    public NetworkProtocols Protocols { get; init; } = NetworkProtocols.Any;

    public NetworkDirections Directions { get; init; } = NetworkDirections.Any;

    public IReadOnlyList<IPNetwork> Destinations { get; init; } = [];

    public IReadOnlyList<IPNetwork> Sources { get; init; } = [];

    public IReadOnlyList<PortRange> DestinationPorts { get; init; } = [];
}

/// <summary>
/// The network selectors in force, compiled into the kernel by <see cref="NetworkSensor.Apply"/>.
/// With no rules nothing is filtered; with rules, a connection event is shipped when a Post or Deny
/// rule selects it, and otherwise counted (per rule when a Count rule selects it) and dropped in the
/// kernel. UDP flow summaries are judged the same way, as outbound to the flow's remote end.
/// </summary>
public sealed record NetworkFilter
{
    /// <summary>Most rules in one filter: each is a bit of the 64-bit masks the kernel's lookups return.</summary>
    public const int MaxRules = NetSlot.MaxRules;

    /// <summary>Ships every event.</summary>
    public static NetworkFilter None { get; } = new();

    public IReadOnlyList<NetworkRule> Rules { get; init; } = [];

    /// <summary>Throws <see cref="NetworkFilterException"/> naming the rule and what is wrong with it.</summary>
    public void Validate()
    {
        if (Rules.Count > MaxRules)
        {
            throw new NetworkFilterException($"network filter: {Rules.Count} rules, at most {MaxRules}");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (NetworkRule rule in Rules)
        {
            string where = $"network rule '{rule.Name}'";
            if (string.IsNullOrWhiteSpace(rule.Name) || !names.Add(rule.Name))
            {
                throw new NetworkFilterException($"{where}: names must be present and unique");
            }
            if (!Enum.IsDefined(rule.Action))
            {
                throw new NetworkFilterException($"{where}: unknown action {(int)rule.Action}");
            }
            if ((rule.Protocols & NetworkProtocols.Any) == 0 || (rule.Protocols & ~NetworkProtocols.Any) != 0)
            {
                throw new NetworkFilterException($"{where}: protocols must be tcp, udp or both");
            }
            if ((rule.Directions & NetworkDirections.Any) == 0 || (rule.Directions & ~NetworkDirections.Any) != 0)
            {
                throw new NetworkFilterException($"{where}: directions must be outbound, inbound or both");
            }
            foreach (PortRange range in rule.DestinationPorts)
            {
                if (range.First > range.Last)
                {
                    throw new NetworkFilterException($"{where}: port range {range.First}-{range.Last} is empty");
                }
            }
            foreach (IPNetwork network in rule.Destinations.Concat(rule.Sources))
            {
                if (network.BaseAddress.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                {
                    throw new NetworkFilterException($"{where}: {network} is not an IPv4 or IPv6 network");
                }
            }
            if (rule.Action == NetworkAction.Deny && rule.Sources.Count > 0)
            {
                throw new NetworkFilterException($"{where}: a deny rule cannot select sources (a connect is judged before its source is chosen)");
            }
            if (rule.Action == NetworkAction.Deny && rule.Directions != NetworkDirections.Outbound)
            {
                throw new NetworkFilterException($"{where}: a deny rule refuses connects, so its direction must be outbound");
            }
        }
    }
}

/// <summary>A network filter that cannot be compiled; nothing in force was changed.</summary>
public sealed class NetworkFilterException : Exception
{
    public NetworkFilterException(string message) : base(message) { }

    public NetworkFilterException() { }

    public NetworkFilterException(string message, Exception inner) : base(message, inner) { }
}
