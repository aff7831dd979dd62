using Microsoft.Extensions.Logging;
using Vigil.Agent.Commands;
using Vigil.Agent.Host;
using Vigil.Enrichment.Processes;
using Vigil.Fleet;
using Vigil.Sensors;

namespace Vigil.Agent.Fleet;

/// <summary>
/// The fleet plane inside `vigil run --nats`: the connection, the publisher with its spool, the
/// sink that feeds it (made before the agent, so it joins the sink list), and once the agent runs,
/// the indicator feed, the heartbeat, and rule and policy distribution. Without --nats none of this exists.
/// </summary>
public sealed class FleetHost : IAsyncDisposable
{
    private readonly ILoggerFactory _logs;
    private readonly FleetConnection _connection;
    private readonly FleetPublisher _publisher;
    private readonly Task _connect;
    private readonly DateTime _started = DateTime.UtcNow;
    private IndicatorFeed? _indicators;
    private HeartbeatWriter? _heartbeat;
    private BucketWatcher? _rules;
    private BucketWatcher? _policies;

    public FleetHost(FleetOptions options, ILoggerFactory logs)
    {
        _logs = logs;
        ILogger log = logs.CreateLogger("vigil.fleet");
        _connection = new FleetConnection(options, log);
        _publisher = new FleetPublisher(_connection, log);
        var binaries = new BinaryHashes();
        Sink = new FleetSink(_publisher, options, new IndicatorExtractor(options.Node, options.IndicatorTtl, binaries));
        Watch = new IndicatorWatch(binaries, options.EnforceIndicators, log);
        Status = new FleetStatus(_connection.KeyValue, _connection.Names);
        _connect = _connection.ConnectAsync();
    }

    public FleetSink Sink { get; }

    /// <summary>Matches execs and connections against the binary-hash and domain indicators in force.</summary>
    public IndicatorWatch Watch { get; }

    public FleetStatus Status { get; }

    public FleetPublisher Publisher => _publisher;

    /// <summary>Starts what needs the running agent: applying indicators, heartbeats, rules and policies from their buckets.</summary>
    public void Attach(NodeAgent agent)
    {
        agent.Fleet = Status;
        Watch.ReportTo(agent.Analysis.PublishDetection);
        var applier = new IndicatorApplier(agent, Watch, _logs.CreateLogger("vigil.fleet"));
        _indicators = new IndicatorFeed(_connection, _publisher, applier.Apply, _logs.CreateLogger("vigil.fleet"));
        _indicators.Start();
        _heartbeat = new HeartbeatWriter(_connection, () => Heartbeat(agent), _logs.CreateLogger("vigil.fleet"));
        _heartbeat.Start();
        _rules = new BucketWatcher(_connection, _publisher, _connection.Names.RulesBucket, FleetTopic.Rules, FleetMetrics.RuleRevisions,
            new FleetRules(agent).Apply, _logs.CreateLogger("vigil.fleet"));
        _rules.Start();
        _policies = new BucketWatcher(_connection, _publisher, _connection.Names.PoliciesBucket, FleetTopic.Policies, FleetMetrics.PolicyRevisions,
            new FleetPolicies(agent).Apply, _logs.CreateLogger("vigil.fleet"));
        _policies.Start();
    }

    private NodeHeartbeat Heartbeat(NodeAgent agent)
    {
        IEnumerable<SensorStatus> sensors = agent.Sensors.Select(s => s.Status);
        bool degraded = sensors.Any(s => s.State == SensorState.Failed) || (XdpGuardInstalled(agent) && agent.Guard is null);
        return new NodeHeartbeat
        {
            Node = _connection.Options.Node,
            Version = VersionCommand.Version,
            Health = degraded ? "degraded" : "ok",
            Started = _started,
            At = DateTime.UtcNow,
            IntervalSeconds = _connection.Options.HeartbeatInterval.TotalSeconds,
            RulesRevision = _rules?.InForce ?? 0,
            RulesRejected = _rules?.Rejected ?? 0,
            PoliciesRevision = _policies?.InForce ?? 0,
            PoliciesRejected = _policies?.Rejected ?? 0,
            Sensors = sensors.ToDictionary(s => s.Sensor, s => s.State == SensorState.Failed ? $"failed: {s.Reason}" : s.State.ToString().ToLowerInvariant()),
            Drops = new Dictionary<string, long>
            {
                ["kernel"] = (long)agent.KernelDrops,
                ["evaluation"] = agent.Analysis.EvaluationDrops,
                ["correlation"] = agent.Analysis.CorrelationDrops,
                ["fleet_queue"] = Sink.Dropped,
                ["fleet_spool_overflow"] = _publisher.Overflow,
                ["fleet_refused"] = _publisher.Refused,
            },
        };
    }

    private static bool XdpGuardInstalled(NodeAgent agent) => Vigil.Guard.XdpGuard.IsInstalled(agent.Options.Guard);

    /// <summary>Stops consuming, writes out what the sink still holds (to NATS or the spool), then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_indicators is not null)
        {
            await _indicators.DisposeAsync().ConfigureAwait(false);
        }
        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync().ConfigureAwait(false);
        }
        if (_rules is not null)
        {
            await _rules.DisposeAsync().ConfigureAwait(false);
        }
        if (_policies is not null)
        {
            await _policies.DisposeAsync().ConfigureAwait(false);
        }
        await Watch.DisposeAsync().ConfigureAwait(false);
        await Sink.DisposeAsync().ConfigureAwait(false);
        await _publisher.DisposeAsync().ConfigureAwait(false);
        await _connect.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
