using System.Diagnostics;
using System.Diagnostics.Metrics;
using Prometheus;

namespace Vigil.Agent.Telemetry;

/// <summary>
/// The agent's prometheus-net metrics as System.Diagnostics.Metrics instruments, for OpenTelemetry's
/// metric exporters: the same names (a counter without Prometheus's <c>_total</c>, which an
/// OTLP-to-Prometheus bridge adds back), labels as attributes, values read when the exporter
/// collects. The counters the agent keeps are read into prometheus-net first, at most once a second.
/// </summary>
public sealed class PrometheusMirror : IDisposable
{
    public const string MeterName = "Vigil.Agent";
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private readonly Meter _meter = new(MeterName, typeof(PrometheusMirror).Assembly.GetName().Version?.ToString(3));
    private readonly Action _refresh;
    private readonly Lock _lock = new();
    private long _lastRefresh;

    public PrometheusMirror(IEnumerable<Collector> collectors, Action refresh)
    {
        _refresh = refresh;
        foreach (Collector collector in collectors)
        {
            switch (collector)
            {
                case Counter counter:
                    _meter.CreateObservableCounter(counter.Name.EndsWith("_total", StringComparison.Ordinal) ? counter.Name[..^"_total".Length] : counter.Name,
                        () => Measure(counter, () => counter.Value, c => c.Value), description: counter.Help);
                    break;
                case Gauge gauge:
                    _meter.CreateObservableGauge(gauge.Name, () => Measure(gauge, () => gauge.Value, g => g.Value), description: gauge.Help);
                    break;
                default:
                    throw new ArgumentException($"{collector.Name}: only counters and gauges are mirrored", nameof(collectors));
            }
        }
    }

    private List<Measurement<double>> Measure<TChild>(Collector<TChild> collector, Func<double> unlabelled, Func<TChild, double> value)
        where TChild : ChildBase
    {
        Refresh();
        if (collector.LabelNames.Length == 0)
        {
            return [new(unlabelled())];
        }
        var measurements = new List<Measurement<double>>();
        foreach (string[] labels in collector.GetAllLabelValues())
        {
            var tags = new TagList();
            for (int i = 0; i < labels.Length; i++)
            {
                tags.Add(collector.LabelNames[i], labels[i]);
            }
            measurements.Add(new(value(collector.WithLabels(labels)), tags));
        }
        return measurements;
    }

    private void Refresh()
    {
        lock (_lock)
        {
            if (Stopwatch.GetElapsedTime(_lastRefresh) >= RefreshEvery || _lastRefresh == 0)
            {
                _refresh();
                _lastRefresh = Stopwatch.GetTimestamp();
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
