using System.Text.RegularExpressions;

namespace Vigil.Fleet;

/// <summary>How an agent joins the fleet: `vigil run --nats URL --cluster NAME --node NAME` and friends.</summary>
public sealed partial record FleetOptions
{
    /// <summary>NATS server URLs, comma-separated for a cluster (nats://host:4222,nats://host2:4222).</summary>
    public required string Url { get; init; }

    /// <summary>Fleet name: one set of streams and buckets per cluster.</summary>
    public required string Cluster { get; init; }

    /// <summary>This node's name in subjects and heartbeats.</summary>
    public required string Node { get; init; }

    /// <summary>NATS credentials file (JWT and NKey seed), when the server uses decentralized auth.</summary>
    public string? CredentialsFile { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>CA bundle to verify the server's TLS certificate; with a client certificate and key for mutual TLS.</summary>
    public string? TlsCaFile { get; init; }

    public string? TlsCertFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>Where messages wait while NATS is unreachable.</summary>
    public string SpoolDirectory { get; init; } = "/var/lib/vigil/spool";

    /// <summary>Most bytes the spool holds; what does not fit is dropped and counted.</summary>
    public long SpoolBytes { get; init; } = 256L << 20;

    /// <summary>Size at which the spool starts a new segment file.</summary>
    public long SpoolSegmentBytes { get; init; } = 4L << 20;

    /// <summary>How long one publish may wait for JetStream's acknowledgement before the message is spooled.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the periodic aggregate (event counts, drops) is published.</summary>
    public TimeSpan AggregateInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the flow summary (connections and bytes per peer since the last one) is published.</summary>
    public TimeSpan FlowInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an indicator from a detection (not a ban, which has its own TTL) stays in force.</summary>
    public TimeSpan IndicatorTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Kill processes whose binary matches a hash indicator (<c>--fleet-indicators enforce</c>); otherwise they are only reported.</summary>
    public bool EnforceIndicators { get; init; }

    /// <summary>Replicas of the streams and buckets the agent creates (1 for a single server, 3 for a cluster).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            throw new ArgumentException("--nats needs a server URL (nats://host:4222)");
        }
        foreach (string url in Urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("nats" or "tls"))
            {
                throw new ArgumentException($"--nats: {url} is not a nats:// or tls:// URL");
            }
        }
        if (!Name().IsMatch(Cluster))
        {
            throw new ArgumentException($"--cluster: '{Cluster}' must be 1-64 letters, digits, '-' or '_'");
        }
        if (!Name().IsMatch(Node))
        {
            throw new ArgumentException($"--node: '{Node}' must be 1-64 letters, digits, '-' or '_'");
        }
        if (SpoolBytes < SpoolSegmentBytes || SpoolSegmentBytes < 4096)
        {
            throw new ArgumentException("--fleet-spool-bytes must be at least one segment (4 MiB by default)");
        }
        if (Replicas is < 1 or > 5)
        {
            throw new ArgumentException("--fleet-replicas must be 1-5");
        }
        foreach (string? file in new[] { CredentialsFile, TlsCaFile, TlsCertFile, TlsKeyFile })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new ArgumentException($"{file} does not exist");
            }
        }
    }

    public IReadOnlyList<string> Urls => Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Name();
}
