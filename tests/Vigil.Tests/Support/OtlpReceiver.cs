using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Tests.Otlp.Proto;

namespace Vigil.Tests.Support;

/// <summary>
/// An OTLP receiver on loopback, as a collector would be: the LogsService and MetricsService over
/// gRPC (HTTP/2 cleartext) on one port, and POST /v1/logs and /v1/metrics (protobuf over HTTP/1.1)
/// on another. It keeps what it received, with the transport it came over.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedLog> _logs = [];
    private readonly List<ReceivedMetric> _metrics = [];
    private readonly object _lock = new(); // Monitor.Wait/PulseAll need a monitor, not a Lock

    public OtlpReceiver()
    {
        int grpcPort = FreePort(), httpPort = FreePort();
        GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
        HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}");
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<LogsReceiver>();
        _app.MapGrpcService<MetricsReceiver>();
        _app.MapPost("/v1/logs", async (HttpRequest request) =>
        {
            Add(ExportLogsServiceRequest.Parser.ParseFrom(await Body(request)), "http");
            return Results.Bytes(new ExportLogsServiceResponse().ToByteArray(), "application/x-protobuf");
        });
        _app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            Add(ExportMetricsServiceRequest.Parser.ParseFrom(await Body(request)), "http");
            return Results.Bytes(new ExportMetricsServiceResponse().ToByteArray(), "application/x-protobuf");
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public Uri GrpcEndpoint { get; }

    public Uri HttpEndpoint { get; }

    public Uri Endpoint(string protocol) => protocol == "grpc" ? GrpcEndpoint : HttpEndpoint;

    /// <summary>Waits for a log record matching <paramref name="match"/>.</summary>
    public ReceivedLog WaitForLog(Func<ReceivedLog, bool> match, TimeSpan timeout) => Wait(_logs, match, timeout, "log record");

    /// <summary>Waits for a metric data point matching <paramref name="match"/>.</summary>
    public ReceivedMetric WaitForMetric(Func<ReceivedMetric, bool> match, TimeSpan timeout) => Wait(_metrics, match, timeout, "metric data point");

    private T Wait<T>(List<T> received, Func<T, bool> match, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        lock (_lock)
        {
            while (true)
            {
                if (received.FirstOrDefault(match) is { } found)
                {
                    return found;
                }
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no matching {what} within {timeout}; received {_metrics.Count} data points and {_logs.Count} log records:\n"
                        + string.Join('\n', _logs.Select(l => $"{l.Record.SeverityNumber} {l.Record.Body}: " + string.Join(", ", l.Attributes.Select(a => $"{a.Key}={a.Value}")))));
                }
                Monitor.Wait(_lock, left);
            }
        }
    }

    private void Add(ExportLogsServiceRequest request, string transport)
    {
        lock (_lock)
        {
            foreach (ResourceLogs resource in request.ResourceLogs)
            {
                foreach (LogRecord record in resource.ScopeLogs.SelectMany(s => s.LogRecords))
                {
                    _logs.Add(new ReceivedLog(transport, Attributes(resource.Resource.Attributes), record, Attributes(record.Attributes)));
                }
            }
            Monitor.PulseAll(_lock);
        }
    }

    private void Add(ExportMetricsServiceRequest request, string transport)
    {
        lock (_lock)
        {
            foreach (Metric metric in request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
            {
                IEnumerable<NumberDataPoint> points = metric.DataCase == Metric.DataOneofCase.Sum ? metric.Sum.DataPoints : metric.Gauge?.DataPoints ?? [];
                foreach (NumberDataPoint point in points)
                {
                    double value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
                    _metrics.Add(new ReceivedMetric(transport, metric.Name, metric.DataCase == Metric.DataOneofCase.Sum, Attributes(point.Attributes), value));
                }
            }
            Monitor.PulseAll(_lock);
        }
    }

    private static Dictionary<string, AnyValue> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static async Task<byte[]> Body(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class LogsReceiver(OtlpReceiver receiver) : LogsService.LogsServiceBase
    {
        public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
        {
            receiver.Add(request, "grpc");
            return Task.FromResult(new ExportLogsServiceResponse());
        }
    }

    private sealed class MetricsReceiver(OtlpReceiver receiver) : MetricsService.MetricsServiceBase
    {
        public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
        {
            receiver.Add(request, "grpc");
            return Task.FromResult(new ExportMetricsServiceResponse());
        }
    }
}

/// <summary>A log record as received, with its resource's and its own attributes by name.</summary>
public sealed record ReceivedLog(string Transport, Dictionary<string, AnyValue> Resource, LogRecord Record, Dictionary<string, AnyValue> Attributes);

/// <summary>One data point of a sum (counter) or gauge as received.</summary>
public sealed record ReceivedMetric(string Transport, string Name, bool IsSum, Dictionary<string, AnyValue> Attributes, double Value);
