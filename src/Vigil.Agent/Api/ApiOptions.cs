using System.Net;

namespace Vigil.Agent.Api;

/// <summary>
/// Where the local API listens and how it is protected. Loopback by default; beyond loopback it
/// needs a TLS certificate and an explicit acknowledgement that read routes become reachable
/// from the network (the token is still required for every route but health).
/// </summary>
public sealed record ApiOptions
{
    public const string DefaultTokenFile = "/var/lib/vigil/api-token";

    public static IPEndPoint DefaultListen { get; } = new(IPAddress.Loopback, 7878);

    /// <summary>False with <c>--api none</c>: no API, no console, no /metrics.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>TCP address and port; port 0 picks a free one (the log line says which).</summary>
    public IPEndPoint? Listen { get; init; } = DefaultListen;

    /// <summary>A unix socket path instead of (or as well as) TCP.</summary>
    public string? Socket { get; init; }

    public string TokenFile { get; init; } = DefaultTokenFile;

    /// <summary>PEM certificate (with its key in <see cref="TlsKey"/>, or in the same file) for HTTPS.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    /// <summary>The operator's explicit consent to serve read routes beyond loopback.</summary>
    public bool NetworkReads { get; init; }

    /// <summary>Recent events kept in memory for queries and process pages.</summary>
    public int RecentEvents { get; init; } = 50_000;

    public bool BeyondLoopback => Listen is { } l && !IPAddress.IsLoopback(l.Address);

    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }
        if (Listen is null && Socket is null)
        {
            throw new ArgumentException("the API needs --api-listen ADDR:PORT or --api-socket PATH (or --api none)");
        }
        if (BeyondLoopback && TlsCertificate is null)
        {
            throw new ArgumentException($"--api-listen {Listen} is beyond loopback: give a certificate with --api-tls-cert PATH");
        }
        if (BeyondLoopback && !NetworkReads)
        {
            throw new ArgumentException($"--api-listen {Listen} is beyond loopback: add --api-network-reads to serve read routes to the network");
        }
        if (TlsCertificate is { } cert && !File.Exists(cert))
        {
            throw new ArgumentException($"TLS certificate {cert} does not exist");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(RecentEvents, 1, "--api-recent-events");
    }
}
