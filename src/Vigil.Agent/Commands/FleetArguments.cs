using System.CommandLine;
using Vigil.Fleet;

namespace Vigil.Agent.Commands;

/// <summary>The options that join `vigil run` (and `vigil fleet`) to a fleet over NATS; without --nats there is no fleet.</summary>
internal sealed class FleetArguments
{
    private readonly Option<string?> _url = new("--nats") { Description = "NATS server URL(s), comma-separated (nats://host:4222); joins the fleet" };
    private readonly Option<string> _cluster = new("--cluster") { Description = "Fleet name (subjects vigil.CLUSTER.NODE....)", DefaultValueFactory = _ => "default" };
    private readonly Option<string> _node = new("--node") { Description = "This node's name in the fleet", DefaultValueFactory = _ => Environment.MachineName };
    private readonly Option<string?> _creds = new("--nats-creds") { Description = "NATS credentials file (JWT + NKey seed)" };
    private readonly Option<string?> _user = new("--nats-user") { Description = "NATS user name" };
    private readonly Option<string?> _password = new("--nats-password") { Description = "NATS password (or $VIGIL_NATS_PASSWORD)" };
    private readonly Option<string?> _tlsCa = new("--nats-tls-ca") { Description = "CA bundle that signed the NATS server's certificate" };
    private readonly Option<string?> _tlsCert = new("--nats-tls-cert") { Description = "Client certificate for mutual TLS" };
    private readonly Option<string?> _tlsKey = new("--nats-tls-key") { Description = "Client key for mutual TLS" };
    private readonly Option<string> _spool = new("--fleet-spool") { Description = "Directory of the on-disk spool used while NATS is unreachable", DefaultValueFactory = _ => "/var/lib/vigil/spool" };
    private readonly Option<long> _spoolBytes = new("--fleet-spool-bytes") { Description = "Most bytes the spool holds; beyond, messages are dropped and counted", DefaultValueFactory = _ => 256L << 20 };
    private readonly Option<int> _replicas = new("--fleet-replicas") { Description = "Replicas of the streams and buckets the agent creates (3 on a JetStream cluster)", DefaultValueFactory = _ => 1 };
    private readonly Option<TimeSpan?> _heartbeat = new("--fleet-heartbeat") { Description = "Heartbeat interval (default 5s)", CustomParser = Durations.Parse };

    private readonly Option<string> _indicators = new("--fleet-indicators") { Description = "monitor: report execs of binaries a hash indicator lists; enforce: kill them too", DefaultValueFactory = _ => "monitor" };

    private bool _agent;

    /// <summary>Adds the connection options (all commands) and, with <paramref name="agent"/>, the agent's own.</summary>
    public void AddTo(Command command, bool agent)
    {
        _agent = agent;
        foreach (Option option in new Option[] { _url, _cluster, _creds, _user, _password, _tlsCa, _tlsCert, _tlsKey })
        {
            command.Options.Add(option);
        }
        if (agent)
        {
            _indicators.AcceptOnlyFromAmong("monitor", "enforce");
            foreach (Option option in new Option[] { _node, _spool, _spoolBytes, _replicas, _heartbeat, _indicators })
            {
                command.Options.Add(option);
            }
        }
    }

    /// <summary>The fleet settings, or null without --nats.</summary>
    public FleetOptions? Read(ParseResult result)
    {
        if (result.GetValue(_url) is not { } url)
        {
            return null;
        }
        var connection = new FleetOptions
        {
            Url = url,
            Cluster = result.GetValue(_cluster)!,
            Node = Environment.MachineName,
            CredentialsFile = result.GetValue(_creds),
            User = result.GetValue(_user),
            Password = result.GetValue(_password) ?? Environment.GetEnvironmentVariable("VIGIL_NATS_PASSWORD"),
            TlsCaFile = result.GetValue(_tlsCa),
            TlsCertFile = result.GetValue(_tlsCert),
            TlsKeyFile = result.GetValue(_tlsKey),
        };
        return !_agent ? connection : connection with
        {
            Node = result.GetValue(_node) ?? Environment.MachineName,
            SpoolDirectory = result.GetValue(_spool) ?? connection.SpoolDirectory,
            SpoolBytes = result.GetValue(_spoolBytes),
            Replicas = result.GetValue(_replicas),
            HeartbeatInterval = result.GetValue(_heartbeat) ?? connection.HeartbeatInterval,
            EnforceIndicators = result.GetValue(_indicators) == "enforce",
        };
    }
}
