using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Vigil.Agent.Pipeline;
using Vigil.Agent.Telemetry;
using Vigil.Events;

namespace Vigil.Agent.Otlp;

/// <summary>
/// Detections, incidents and (when asked) events as OpenTelemetry logs, and the agent's metrics,
/// exported over OTLP by the OpenTelemetry SDK. Records wait in this sink's bounded queue; each batch
/// is handed to the SDK and flushed before the next, so the SDK's own queue never overflows and a
/// slow or dead collector shows up as this sink's lag and drops, never as a stalled pipeline.
/// </summary>
public sealed class OtlpSink : ConclusionQueue
{
    private const int BatchSize = 512;
    private readonly OtlpOptions _options;
    private readonly OpenTelemetrySdk _sdk;
    private readonly ILogger _logger;
    private readonly LogExportFailures _failures;

    public OtlpSink(OtlpOptions options)
        : base("otlp", options.QueueCapacity, BatchSize)
    {
        _options = options;
        _failures = new LogExportFailures(options.SignalEndpoint("logs"), options.Protocol == OtlpExportProtocol.Grpc);
        _sdk = OpenTelemetrySdk.Create(otel => otel
            .ConfigureResource(r => r.AddService("vigil", serviceVersion: typeof(OtlpSink).Assembly.GetName().Version?.ToString(3), serviceInstanceId: Environment.MachineName)
                .AddAttributes([new("host.name", Environment.MachineName)]))
            .WithLogging(
                logs => logs.AddProcessor(new EventTimeProcessor()).AddOtlpExporter((exporter, processor) =>
                {
                    Configure(exporter, "logs");
                    processor.ExportProcessorType = ExportProcessorType.Batch;
                    // The SDK exports only when this sink flushes: its own triggers (a full export batch, the
                    // scheduled delay) are out of reach. A flush that finds an export already under way returns
                    // before that export ends, and the export's failure would be told after the flush.
                    processor.BatchExportProcessorOptions = new BatchExportLogRecordProcessorOptions
                    {
                        MaxQueueSize = 2 * BatchSize,
                        MaxExportBatchSize = 2 * BatchSize,
                        ScheduledDelayMilliseconds = int.MaxValue,
                        ExporterTimeoutMilliseconds = (int)options.Timeout.TotalMilliseconds,
                    };
                }),
                logging => logging.IncludeFormattedMessage = true)
            .WithMetrics(metrics => metrics.AddMeter(PrometheusMirror.MeterName).AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, "metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.MetricInterval.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })));
        _logger = _sdk.GetLoggerFactory().CreateLogger("vigil");
        StartDraining();
    }

    protected override bool Wants(object record) => _options.Events || record is not VigilEvent;

    protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        long failedBefore = _failures.Count;
        foreach (object record in batch)
        {
            LogAttributes attributes = LogAttributes.Of(record);
            _logger.Log(attributes.Level, default, attributes, null, static (a, _) => a.Body);
        }
        // The batch is one export: lost when the SDK did not get it out within the timeout (a slow
        // collector) or reported it failed (a dead or refusing one).
        if (!_sdk.LoggerProvider.ForceFlush((int)_options.Timeout.TotalMilliseconds) || _failures.Count != failedBefore)
        {
            CountFailed(batch.Count);
        }
        return ValueTask.CompletedTask;
    }

    private void Configure(OtlpExporterOptions exporter, string signal)
    {
        exporter.Endpoint = _options.SignalEndpoint(signal);
        exporter.Protocol = _options.Protocol;
        exporter.TimeoutMilliseconds = (int)_options.Timeout.TotalMilliseconds;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        _sdk.Dispose(); // flushes the last metrics
        _failures.Dispose();
    }
}
