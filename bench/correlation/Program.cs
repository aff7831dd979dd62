using System.Diagnostics;
using Vigil.Correlation;
using Vigil.Correlation.Baselines;
using Vigil.Correlation.Sequences;
using Vigil.Correlation.Signals;
using Vigil.Detection.Rules;
using Vigil.Events;

// Correlation throughput on one core with every default sequence rule and the baselines active:
// 10 million events of a recorded-like workload (one detection per 2,000 events), generated in
// batches outside the timed part. Throughput is events per CPU second of this process while
// correlating (GC included), so other load on the machine does not distort it. RSS is read after
// the first batch, after every million events and at the end: bounded state means it stays flat.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Vigil.Bench.Correlation FALCO_RULES VIGIL_RULES SEQUENCES [EVENTS]");
    return 2;
}
long total = args.Length > 3 ? long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000;
const int BatchSize = 100_000;
const int DetectionEvery = 2_000;

RuleLoadResult rules = RuleLoader.Load([args[0], args[1]]);
List<SequenceRule> sequences = SequenceRuleLoader.LoadFile(args[2], new RuleLanguageConditions(rules.Conditions));
var correlator = new Correlator(new CorrelatorOptions(), sequences);
long incidents = 0;
correlator.IncidentUpdated += _ => incidents++;
var baselines = new BaselineTracker(new BaselineOptions { Learning = TimeSpan.FromMinutes(5) }, correlator.NextSignalId);
var stream = new WorkloadStream(seed: 7);
var batch = new VigilEvent[BatchSize];
var detections = new List<(int Index, string Rule)>();

double rssStart = 0;
var rssByMillion = new List<double>();
var cpu = TimeSpan.Zero;
var wall = new Stopwatch();
using var self = Process.GetCurrentProcess();
long done = 0;
long allocated = 0;
DateTime lastHousekeeping = DateTime.MinValue;
while (done < total)
{
    detections.Clear();
    stream.Fill(batch, detections, DetectionEvery);
    int nextDetection = 0;
    self.Refresh();
    TimeSpan cpuBefore = self.TotalProcessorTime;
    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    wall.Start();
    for (int i = 0; i < batch.Length; i++)
    {
        VigilEvent e = batch[i];
        foreach (Signal anomaly in baselines.Observe(e))
        {
            correlator.Observe(anomaly);
        }
        if (nextDetection < detections.Count && detections[nextDetection].Index == i)
        {
            string rule = detections[nextDetection++].Rule;
            correlator.Observe(SignalFactory.FromDetection(correlator.NextSignalId(), rule, "WARNING", rule, [], e));
        }
        else
        {
            correlator.ObserveEvent(e);
        }
        if (e.Timestamp - lastHousekeeping >= TimeSpan.FromSeconds(1))
        {
            correlator.CloseIdle(e.Timestamp);
            lastHousekeeping = e.Timestamp;
        }
    }
    wall.Stop();
    allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    self.Refresh();
    cpu += self.TotalProcessorTime - cpuBefore;
    done += BatchSize;
    if (rssStart == 0)
    {
        rssStart = Rss();
    }
    if (done % 1_000_000 == 0)
    {
        rssByMillion.Add(Rss()); // outside the timed part: shows the memory stays flat, not only where it ends
    }
}

double eps = done / cpu.TotalSeconds;
Console.WriteLine($"cpu_s={cpu.TotalSeconds:0.0} wall_s={wall.Elapsed.TotalSeconds:0.0} events={done} alloc_bytes_per_event={allocated / (double)done:0.0} simulated={stream.Now - new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc):hh\\:mm\\:ss} incident_revisions={incidents} signals={correlator.SignalsObserved} open_incidents={correlator.OpenIncidents} " +
    $"incidents_evicted={correlator.IncidentsEvicted} sequence_evictions={correlator.SequenceEvictions} baseline_profiles={baselines.Profiles} sequences={sequences.Count}");
Console.WriteLine($"rss_mb_per_million_events={string.Join(',', rssByMillion.Select(r => r.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
Console.WriteLine($"correlation: eps={eps:0} rss_mb_start={rssStart:0.0} rss_mb_end={Rss():0.0}");
return 0;

static double Rss()
{
    GC.Collect();
    foreach (string line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }
    }
    return 0;
}
