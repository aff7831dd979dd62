using System.Diagnostics.Tracing;

namespace Vigil.Agent.Otlp;

/// <summary>
/// Counts the log exports to one endpoint that the OTLP exporter reports as failed (connection
/// refused, an error status, a timeout). The SDK does not hand an export's result back, and a flush
/// succeeds once the export has ended however it ended; the exporter says so only on its
/// self-diagnostics event source, as a warning or error naming the endpoint it posted to (for gRPC
/// the base URL followed by the logs service's path).
/// </summary>
internal sealed class LogExportFailures : EventListener
{
    private const string ExporterSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";
    private const string GrpcLogsService = "opentelemetry.proto.collector.logs.v1.LogsService";

    private readonly string _logsEndpoint;
    private readonly bool _grpc;
    private long _count;

    public LogExportFailures(Uri logsEndpoint, bool grpc)
    {
        _logsEndpoint = logsEndpoint.AbsoluteUri.TrimEnd('/');
        _grpc = grpc;
    }

    public long Count => Interlocked.Read(ref _count);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Runs for the sources already there from the base constructor, before this class's fields are set.
        if (eventSource.Name == ExporterSource)
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Level <= EventLevel.Warning && e.Payload is [string endpoint, ..] && IsLogs(endpoint))
        {
            Interlocked.Increment(ref _count);
        }
    }

    // Null only for an event another exporter writes while this listener is still being constructed.
    private bool IsLogs(string endpoint) =>
        _logsEndpoint is not null && endpoint.StartsWith(_logsEndpoint, StringComparison.Ordinal)
        && (!_grpc || endpoint.Contains(GrpcLogsService, StringComparison.Ordinal));
}
