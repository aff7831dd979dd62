using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using Vigil.Bench.Fleet;
using Vigil.Fleet;

// `reduction NATS_URL MONITOR_URL CLUSTER NODE AGENT_OUTPUT`: the data reduction of one node (Reduction.cs).
if (args is ["reduction", var natsUrl, var monitorUrl, var reducedCluster, var reducedNode, var agentOutput])
{
    return await Reduction.RunAsync(natsUrl, monitorUrl, reducedCluster, reducedNode, agentOutput);
}

// Publishes indicators as node ORIGIN, one every INTERVAL_MS, each for a different address, and
// listens for the other agents' reports that they banned it in XDP. Latency = the agent's report
// time minus the indicator's issue time (one machine, one clock). Prints one line per percentile.
// Usage: Vigil.Bench.Fleet URL CLUSTER ORIGIN COUNT INTERVAL_MS NODES ADDRESS_PREFIX
if (args.Length != 7)
{
    Console.Error.WriteLine("usage: Vigil.Bench.Fleet URL CLUSTER ORIGIN COUNT INTERVAL_MS NODES ADDRESS_PREFIX (e.g. 10.254.)");
    Console.Error.WriteLine("       Vigil.Bench.Fleet reduction NATS_URL MONITOR_URL CLUSTER NODE AGENT_OUTPUT");
    return 2;
}
string url = args[0], cluster = args[1], origin = args[2], prefix = args[6];
int count = int.Parse(args[3], CultureInfo.InvariantCulture);
var interval = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture));
int nodes = int.Parse(args[5], CultureInfo.InvariantCulture);

var options = new FleetOptions { Url = url, Cluster = cluster, Node = origin, SpoolDirectory = Path.Combine(Path.GetTempPath(), "vigil-bench-fleet-" + Environment.ProcessId) };
await using var connection = new FleetConnection(options, NullLogger.Instance);
await connection.ConnectAsync();
await using var publisher = new FleetPublisher(connection, NullLogger.Instance);

var latencies = new List<double>();
var reports = new Dictionary<string, int>(StringComparer.Ordinal);
int notApplied = 0;
using var done = new CancellationTokenSource();
string reportSubject = connection.Names.Subject("*", FleetTopic.Applied);
Task listen = Task.Run(async () =>
{
    try
    {
        await foreach (NatsMsg<byte[]> msg in connection.Nats.SubscribeAsync<byte[]>(reportSubject, cancellationToken: done.Token))
        {
            IndicatorReport? report = JsonSerializer.Deserialize<IndicatorReport>(msg.Data!);
            if (report is null || report.Origin != origin)
            {
                continue;
            }
            lock (latencies)
            {
                if (!report.Applied)
                {
                    notApplied++;
                    continue;
                }
                latencies.Add((report.At - report.Issued).TotalMilliseconds);
                reports[report.IndicatorId] = reports.GetValueOrDefault(report.IndicatorId) + 1;
            }
        }
    }
    catch (OperationCanceledException)
    {
    }
});
await Task.Delay(500); // the subscription is registered before the first indicator

string run = Guid.NewGuid().ToString("N")[..6];
for (int i = 0; i < count; i++)
{
    DateTime now = DateTime.UtcNow;
    var indicator = new ThreatIndicator
    {
        Id = $"{origin}.bench{run}.{i}",
        Kind = IndicatorKinds.Address,
        Value = string.Create(CultureInfo.InvariantCulture, $"{prefix}{i / 250}.{i % 250 + 1}/32"),
        Origin = origin,
        Reason = "bench",
        Issued = now,
        Expires = now.AddMinutes(10),
    };
    await publisher.PublishAsync(IndicatorFeed.Message(connection.Names, indicator));
    await Task.Delay(interval);
}

DateTime deadline = DateTime.UtcNow.AddSeconds(10);
while (DateTime.UtcNow < deadline)
{
    lock (latencies)
    {
        if (latencies.Count + notApplied >= count * nodes)
        {
            break;
        }
    }
    await Task.Delay(100);
}
await done.CancelAsync();
await listen;

double[] sorted = [.. latencies.Order()];
double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"indicators={count} nodes={nodes} applied={sorted.Length}/{count * nodes} not_applied={notApplied} complete={reports.Count(r => r.Value == nodes)}/{count} p50_ms={P(0.50):0.0} p90_ms={P(0.90):0.0} p99_ms={P(0.99):0.0} max_ms={(sorted.Length == 0 ? double.NaN : sorted[^1]):0.0}"));
return sorted.Length == count * nodes ? 0 : 1;
