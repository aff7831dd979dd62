using System.Net;
using Vigil.Detection.Rules;
using Vigil.Events;
using Vigil.Fleet;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Which conclusions become threat indicators: an XDP auto-mitigation ban (the source, for the
/// ban's TTL), and a detection of critical priority or above on a network event (the remote address, for
/// <see cref="DetectionTtl"/>), unless that address is loopback, link-local, multicast or unspecified.
/// </summary>
public sealed class IndicatorExtractor(string node, TimeSpan detectionTtl)
{
    public TimeSpan DetectionTtl { get; } = detectionTtl;

    public ThreatIndicator? From(object record, Func<string> id)
    {
        DateTime now = DateTime.UtcNow;
        return record switch
        {
            GuardBanEvent ban => Indicator(id, ban.Network, $"xdp.ban: about {ban.EstimatedPps:0} pps, threshold {ban.ThresholdPps:0}", now, ban.Ttl),
            RuleDetection { Priority: <= RulePriority.Critical, Event: NetworkEvent net } d when IsBannable(Remote(net)) =>
                Indicator(id, Host(Remote(net)), $"rule: {d.RuleName}", now, DetectionTtl),
            _ => null,
        };
    }

    private ThreatIndicator Indicator(Func<string> id, string value, string reason, DateTime now, TimeSpan ttl) => new()
    {
        Id = id(),
        Kind = IndicatorKinds.Address,
        Value = value,
        Origin = node,
        Reason = reason,
        Issued = now,
        Expires = now + ttl,
    };

    /// <summary>Loopback, unspecified, link-local and multicast addresses name no attacker elsewhere: banning them fleet-wide would only do harm.</summary>
    private static bool IsBannable(IPAddress address) =>
        !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
          || address.IsIPv6LinkLocal || address.IsIPv6Multicast
          || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (address.GetAddressBytes()[0] >= 224 || address.GetAddressBytes() is [169, 254, ..])));

    private static IPAddress Remote(NetworkEvent net) => net.Direction == NetworkDirection.Outbound ? net.DestinationAddress : net.SourceAddress;

    private static string Host(IPAddress address) =>
        $"{address}/{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
}
