using Prometheus;

namespace Vigil.Fleet;

/// <summary>The fleet plane's counters in prometheus-net's default registry (served wherever /metrics is).</summary>
public static class FleetMetrics
{
    public static readonly Counter Published = Metrics.CreateCounter("vigil_fleet_published_total", "Messages JetStream acknowledged", "topic");

    public static readonly Counter Spooled = Metrics.CreateCounter("vigil_fleet_spooled_total", "Messages written to the on-disk spool while NATS was unreachable");

    public static readonly Counter SpoolOverflow = Metrics.CreateCounter("vigil_fleet_spool_overflow_total", "Messages lost because the spool was full");

    public static readonly Counter Refused = Metrics.CreateCounter("vigil_fleet_refused_total", "Messages the server refused (no publish permission); not retried");

    public static readonly Counter IndicatorsReceived = Metrics.CreateCounter("vigil_fleet_indicators_received_total", "Threat indicators read from the indicators stream", "kind");

    public static readonly Counter IndicatorsApplied = Metrics.CreateCounter("vigil_fleet_indicators_applied_total", "Threat indicators applied on this node", "kind");

    public static readonly Counter IndicatorsIgnored = Metrics.CreateCounter("vigil_fleet_indicators_ignored_total", "Threat indicators ignored: expired, malformed, or claiming another node than their subject", "reason");

    public static readonly Counter RuleRevisions = Metrics.CreateCounter("vigil_fleet_rule_revisions_total", "Rule revisions from the rules bucket", "outcome");

    public static readonly Counter PolicyRevisions = Metrics.CreateCounter("vigil_fleet_policy_revisions_total", "Policy revisions from the policies bucket", "outcome");

    public static readonly Gauge SpoolDepth = Metrics.CreateGauge("vigil_fleet_spool_messages", "Messages waiting in the spool");
}
