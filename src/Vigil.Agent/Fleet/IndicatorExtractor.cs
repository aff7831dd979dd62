using System.Net;
using Vigil.Detection.Rules;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Fleet;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Which conclusions become threat indicators: an XDP auto-mitigation ban (the source, for the
/// ban's TTL); a detection of critical priority or above on a network event (the remote address, for
/// <see cref="DetectionTtl"/>), unless that address is loopback, link-local, multicast or
/// unspecified; one on an exec (the executable's SHA-256, for <see cref="DetectionTtl"/>), unless
/// the executable belongs to the distribution. Detections of fleet indicators raise none.
/// </summary>
public sealed class IndicatorExtractor(string node, TimeSpan detectionTtl, BinaryHashes binaries)
{
    /// <summary>Package-managed directories: a binary there names no attacker, and killing it fleet-wide would only do harm.</summary>
    private static readonly string[] SystemDirectories = ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/"];

    public TimeSpan DetectionTtl { get; } = detectionTtl;

    public ThreatIndicator? From(object record, Func<string> id)
    {
        DateTime now = DateTime.UtcNow;
        return record switch
        {
            GuardBanEvent ban => Indicator(id, IndicatorKinds.Address, ban.Network, $"xdp.ban: about {ban.EstimatedPps:0} pps, threshold {ban.ThresholdPps:0}", now, ban.Ttl),
            RuleDetection d when d.Tags.Contains(IndicatorWatch.Tag) => null,
            RuleDetection { Priority: <= RulePriority.Critical, Event: NetworkEvent net } d when IsBannable(Remote(net)) =>
                Indicator(id, IndicatorKinds.Address, Host(Remote(net)), $"rule: {d.RuleName}", now, DetectionTtl),
            RuleDetection { Priority: <= RulePriority.Critical, Event: ProcessExecEvent exec } d when !IsSystemBinary(exec.Binary)
                && binaries.OfProcess(exec.Process.Pid, exec.Binary) is { } hash =>
                Indicator(id, IndicatorKinds.BinaryHash, hash.Sha256, $"rule: {d.RuleName}: {exec.Binary}", now, DetectionTtl),
            _ => null,
        };
    }

    private ThreatIndicator Indicator(Func<string> id, string kind, string value, string reason, DateTime now, TimeSpan ttl) => new()
    {
        Id = id(),
        Kind = kind,
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

    private static bool IsSystemBinary(string path) => SystemDirectories.Any(d => path.StartsWith(d, StringComparison.Ordinal));

    private static IPAddress Remote(NetworkEvent net) => net.Direction == NetworkDirection.Outbound ? net.DestinationAddress : net.SourceAddress;

    private static string Host(IPAddress address) =>
        $"{address}/{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
}
