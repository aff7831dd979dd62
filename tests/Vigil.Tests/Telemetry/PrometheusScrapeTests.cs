using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Tests.Support;

namespace Vigil.Tests.Telemetry;

/// <summary>A real Prometheus scrapes a real agent's /metrics; PromQL over what it stored gives the agent's own numbers.</summary>
public sealed partial class PrometheusScrapeTests
{
    [Fact]
    public void Prometheus_scrapes_the_agent_and_promql_returns_its_configuration_counts_and_kernel_stats()
    {
        using var store = new TempStore();
        using var agent = new ApiAgent("--store", store.Path, "--store-queue", "777", "--process-cache", "4321");
        int activeRules = int.Parse(ActiveRules().Match(agent.Process.Stderr).Groups[1].Value, CultureInfo.InvariantCulture);
        string marker = Children.Marker();
        for (int i = 0; i < 20; i++)
        {
            Children.Run("/bin/true", marker);
        }
        using var prometheus = new PrometheusServer(agent.BaseAddress);

        // The first scrape may time out while the agent warms up; then every scrape succeeds.
        Assert.Equal(1, prometheus.Value("up{job=\"vigil\"} == 1"));
        // Settings the agent was started with, as it reports them.
        Assert.Equal(777, prometheus.Value("vigil_sink_queue_capacity{sink=\"store\"}"));
        Assert.Equal(4321, prometheus.Value("vigil_process_cache_capacity_entries"));
        Assert.Equal(activeRules, prometheus.Value("vigil_rules{state=\"active\"}"));
        // The twenty execs of this test, at least, counted by sensor and type.
        Assert.InRange(prometheus.Value("vigil_events_total{sensor=\"process\",type=\"process.exec\"}"), 20, double.MaxValue);
        // Kernel run-time stats are on: the process sensor's programs ran and took time.
        Assert.InRange(prometheus.Value("sum(vigil_bpf_program_runs_total{sensor=\"process\"})"), 20, double.MaxValue);
        Assert.InRange(prometheus.Value("sum(vigil_bpf_program_run_time_seconds_total{sensor=\"process\"})"), double.Epsilon, 60);
        // Every stage's drops are exported, and on this quiet run none was lost to the store's queue.
        Assert.Equal(0, prometheus.Value("vigil_drops_total{stage=\"sink_queue\",component=\"store\"}"));
        Assert.Contains(prometheus.Query("vigil_drops_total{stage=\"kernel_reserve\"}"), s => s.Labels["component"] == "process");
        Assert.InRange(prometheus.Value("vigil_store_records_written_total"), 20, double.MaxValue);
        Assert.InRange(prometheus.Value("vigil_process_cache_entries"), 1, 4321);
        Assert.InRange(prometheus.Value("process_working_set_bytes{job=\"vigil\"}"), 1 << 20, double.MaxValue);
        Assert.Contains(prometheus.Query("vigil_ringbuf_fill_ratio"), s => s.Value is >= 0 and <= 1);
    }

    [GeneratedRegex(@"(\d+) rules active")]
    private static partial Regex ActiveRules();
}
