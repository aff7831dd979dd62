using Microsoft.Extensions.Logging;
using Vigil.Agent.Host;
using Vigil.Events;
using Vigil.Fleet;
using Vigil.Guard;
using Vigil.Guard.Rules;

namespace Vigil.Agent.Fleet;

/// <summary>
/// Applies a fleet indicator on this node: an address becomes an XDP ban through the adopted guard
/// for what is left of its TTL, and an <c>fleet.indicator</c> event says so. Kinds this node cannot
/// act on are reported as not applied, with the reason.
/// </summary>
public sealed class IndicatorApplier(NodeAgent agent, ILogger log)
{
    private readonly ProcessIdentity _self = NodeAgent.SelfIdentity();

    public IndicatorOutcome Apply(ThreatIndicator indicator)
    {
        IndicatorOutcome outcome = indicator.Kind switch
        {
            IndicatorKinds.Address => Ban(indicator),
            IndicatorKinds.BinaryHash => new IndicatorOutcome(false, "binary hashes are not matched on this node yet"),
            _ => new IndicatorOutcome(false, "no DNS sensor on this node"),
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
