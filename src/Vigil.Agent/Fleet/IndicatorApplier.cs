using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Vigil.Agent.Host;
using Vigil.Events;
using Vigil.Fleet;
using Vigil.Guard;
using Vigil.Guard.Rules;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Applies a fleet indicator on this node, and a <c>fleet.indicator</c> event says so: an address
/// becomes an XDP ban through the adopted guard for what is left of its TTL; a binary hash is
/// matched against every exec from now on (flagged, or killed in enforce mode); a domain is resolved
/// here, now (no sensor observes DNS), and connections to its addresses become detections. What
/// this node cannot act on is reported as not applied, with the reason.
/// </summary>
public sealed class IndicatorApplier(NodeAgent agent, IndicatorWatch watch, ILogger log)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(3);

    private readonly ProcessIdentity _self = NodeAgent.SelfIdentity();

    public IndicatorOutcome Apply(ThreatIndicator indicator)
    {
        IndicatorOutcome outcome = indicator.Kind switch
        {
            IndicatorKinds.Address => Ban(indicator),
            IndicatorKinds.BinaryHash => WatchBinary(indicator),
            _ => WatchDomain(indicator),
        };
        if (outcome.Applied)
        {
            log.LogWarning("fleet: {Action} ({Value} from {Origin}: {Reason})", outcome.Action, indicator.Value, indicator.Origin, indicator.Reason);
            agent.Analysis.Publish(new IndicatorAppliedEvent
            {
                Timestamp = DateTime.UtcNow,
                Process = _self,
                IndicatorId = indicator.Id,
                IndicatorKind = indicator.Kind,
                Value = indicator.Value,
                Origin = indicator.Origin,
                Action = outcome.Action,
            });
        }
        return outcome;
    }

    private IndicatorOutcome WatchBinary(ThreatIndicator indicator)
    {
        if (indicator.Value.Length != 64 || !indicator.Value.All(char.IsAsciiHexDigitLower))
        {
            return new IndicatorOutcome(false, $"'{indicator.Value}' is not a lower-case hex SHA-256");
        }
        watch.WatchBinary(indicator);
        return new IndicatorOutcome(true, $"{(watch.Enforce ? "kill" : "flag")} execs of sha256 {indicator.Value}");
    }

    private IndicatorOutcome WatchDomain(ThreatIndicator indicator)
    {
        if (Uri.CheckHostName(indicator.Value) != UriHostNameType.Dns)
        {
            return new IndicatorOutcome(false, $"'{indicator.Value}' is not a domain name");
        }
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddressesAsync(indicator.Value).WaitAsync(ResolveTimeout).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return new IndicatorOutcome(false, $"cannot resolve {indicator.Value}: {ex.Message}");
        }
        if (addresses.Length == 0)
        {
            return new IndicatorOutcome(false, $"{indicator.Value} resolves to no address");
        }
        watch.WatchDomain(indicator, addresses);
        return new IndicatorOutcome(true, $"detect connections to {string.Join(", ", addresses.Select(a => a.ToString()))} (resolved from {indicator.Value})");
    }

    private IndicatorOutcome Ban(ThreatIndicator indicator)
    {
        if (agent.Guard is not { } guard)
        {
            return new IndicatorOutcome(false, "no XDP guard attached on this node");
        }
        try
        {
            Cidr network = Cidr.Parse(indicator.Value);
            TimeSpan left = indicator.Expires - DateTime.UtcNow;
            guard.Block(network, left, automatic: true);
            return new IndicatorOutcome(true, $"xdp ban {network} for {left.TotalSeconds:0}s");
        }
        catch (Exception ex) when (ex is FormatException or GuardException or Vigil.Bpf.BpfException)
        {
            return new IndicatorOutcome(false, $"cannot ban {indicator.Value}: {ex.Message}");
        }
    }
}
