using OpenTelemetry.Exporter;

namespace Vigil.Agent.Otlp;

/// <summary>Where and how detections, incidents, events and metrics are exported over OTLP (docs/exporters.md).</summary>
public sealed record OtlpOptions
{
    /// <summary>The collector's base URL: http://HOST:4317 for gRPC, http://HOST:4318 for HTTP (the signal paths are added).</summary>
    public required Uri Endpoint { get; init; }

    public OtlpExportProtocol Protocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>Every enriched event as well, not only detections and incidents.</summary>
    public bool Events { get; init; }

    /// <summary>How often metrics are exported.</summary>
    public TimeSpan MetricInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Records waiting for the collector before new ones are dropped (and counted).</summary>
    public int QueueCapacity { get; init; } = 16384;

    /// <summary>How long one export may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The URL one signal (logs, metrics) is posted to: gRPC takes the base URL, HTTP a path per signal.</summary>
    public Uri SignalEndpoint(string signal) =>
        Protocol == OtlpExportProtocol.Grpc ? Endpoint : new Uri(Endpoint, Endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal);

    public void Validate()
    {
        if (!Endpoint.IsAbsoluteUri || Endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--otlp-endpoint {Endpoint} is not an http:// or https:// URL");
        }
        if (MetricInterval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"--otlp-interval {MetricInterval.TotalSeconds}s is below 1s");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, "--otlp-queue");
    }
}
