using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Vigil.Tests.Support;

/// <summary>
/// Debian's Prometheus started by a test on a free loopback port, scraping one target every
/// two seconds, with its data in a directory of its own. Disposing stops it and removes the directory.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private const string Binary = "/usr/bin/prometheus";
    private readonly string _directory;
    private readonly Process _process;
    private readonly HttpClient _http;

    public PrometheusServer(Uri target)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: apt-get install prometheus (./vigil installs it)");
        _directory = Directory.CreateTempSubdirectory("vigil-prometheus-").FullName;
        string config = Path.Combine(_directory, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 2s
              scrape_timeout: 2s
            scrape_configs:
              - job_name: vigil
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        int port = FreePort();
        _process = Children.Start(Binary, $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Runs a PromQL instant query until it returns at least one series (or 30 s pass); returns each series' labels and value.</summary>
    public List<(Dictionary<string, string> Labels, double Value)> Query(string promql)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"prometheus exited: {_process.StandardError.ReadToEnd()}");
            }
            try
            {
                last = _http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)).GetAwaiter().GetResult();
                using JsonDocument json = JsonDocument.Parse(last);
                JsonElement result = json.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    return [.. result.EnumerateArray().Select(series => (
                        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
                        double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Thread.Sleep(500);
        }
        Assert.Fail($"PromQL `{promql}` returned nothing within 30 s; last answer: {last}");
        return [];
    }

    /// <summary>The single series' value.</summary>
    public double Value(string promql) => Assert.Single(Query(promql)).Value;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
