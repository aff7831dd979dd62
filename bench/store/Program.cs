using System.Diagnostics;
using System.Globalization;
using Vigil.Storage;
using Vigil.Storage.Records;

// Edge store benchmark. Ingest: EVENTS events (default 10 million) of a busy node's mix appended
// through EdgeStore.Append in batches of the store's default size, indexes on, into a fresh file;
// JSON rendering, compression, the budget checks and making the events are inside the timed part.
// Queries: at the full size, typical CLI/API queries with varied parameters on one read-only
// connection (as the API holds it), each 20 times; p95 over all of them.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Vigil.Bench.Store DIRECTORY [EVENTS]");
    return 2;
}
string path = Path.Combine(args[0], "bench.db");
long total = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
foreach (string stale in new[] { path, path + "-wal", path + "-shm" })
{
    File.Delete(stale);
}

var options = new StoreOptions { Path = path, MaxBytes = 1L << 40 };
var workload = new NodeWorkload(seed: 11, total, TimeSpan.FromHours(2));
var batch = new List<object>(options.BatchSize);
var making = new Stopwatch();
using var self = Process.GetCurrentProcess();
long written = 0;
// Timed as the agent's store sink runs: each batch appended (prepared on this thread while the store's
// commit thread commits the one before), and closing, which waits for the last commit and writes the
// process and flow rows still folded. Making the events is inside the wall clock too (reported apart).
TimeSpan cpuBefore = self.TotalProcessorTime;
var writing = Stopwatch.StartNew();
EdgeStore store = EdgeStore.Open(options);
while (written < total)
{
    making.Start();
    workload.Fill(batch, (int)Math.Min(options.BatchSize, total - written));
    making.Stop();
    store.Append(batch);
    written += batch.Count;
    if (written % 1_000_000 < options.BatchSize)
    {
        Console.WriteLine($"  {written,10:N0} events, {written / writing.Elapsed.TotalSeconds,9:N0} events/s so far, file {new FileInfo(path).Length >> 20} MiB");
    }
}
store.Dispose();
writing.Stop();
self.Refresh();
TimeSpan cpu = self.TotalProcessorTime - cpuBefore;
double ingestEps = total / writing.Elapsed.TotalSeconds;
Console.WriteLine($"ingest: {total:N0} events in {writing.Elapsed.TotalSeconds:0.0} s (making them: {making.Elapsed.TotalSeconds:0.0} s of it): {ingestEps:N0} events/s; {cpu.TotalSeconds:0.0} CPU s: {total / cpu.TotalSeconds:N0} events per CPU second; file {new FileInfo(path).Length >> 20} MiB");

var random = new Random(5);
DateTime end = workload.Now;
string[] names = [.. Enumerable.Range(0, 100).Select(i => $"tool{i}")];
string[] execIds = [.. workload.All.Select(p => p.ExecId.ToString())];
var queries = new (string Name, Func<EdgeStore, int> Run)[]
{
    ("last 10 minutes", s => s.Events(new EventQuery { Since = end.AddMinutes(-10), Limit = 1000 }).Count),
    ("execs in the last hour", s => s.Events(new EventQuery { Since = end.AddHours(-1), Type = "exec", Limit = 1000 }).Count),
    ("by process name", s => s.Events(new EventQuery { ProcessName = names[random.Next(names.Length)], Limit = 1000 }).Count),
    ("by container short id, last hour", s => s.Events(new EventQuery { Container = workload.ContainerIds[random.Next(NodeWorkload.Containers)][..12], Since = end.AddHours(-1), Limit = 1000 }).Count),
    ("by exec id", s => s.Events(new EventQuery { ExecId = execIds[random.Next(execIds.Length)], Limit = 1000 }).Count),
    ("network by name, last 30 min", s => s.Events(new EventQuery { Type = "network", ProcessName = names[random.Next(names.Length)], Since = end.AddMinutes(-30), Limit = 1000 }).Count),
    ("top 10 flows by bytes", s => s.Flows(10, StoredFlowOrder.Bytes).Count),
    ("live processes", s => s.Processes().Count),
    ("detections last hour", s => s.Detections(new DetectionQuery { Since = end.AddHours(-1) }).Count),
};
var all = new List<double>();
using (EdgeStore reader = EdgeStore.OpenReadOnly(path))
{
    foreach ((string name, Func<EdgeStore, int> run) in queries)
    {
        var times = new List<double>();
        int rows = 0;
        for (int i = 0; i < 20; i++)
        {
            long started = Stopwatch.GetTimestamp();
            rows = run(reader);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        all.AddRange(times);
        Console.WriteLine($"  query {name,-36} p50 {Percentile(times, 0.50),7:0.0} ms  p95 {Percentile(times, 0.95),7:0.0} ms  ({rows} rows)");
    }
}
Console.WriteLine($"store: ingest_eps={ingestEps:0} query_p95_ms={Percentile(all, 0.95):0.0}");
return 0;

static double Percentile(List<double> values, double p)
{
    double[] sorted = [.. values.Order()];
    return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
