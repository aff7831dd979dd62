using System.Diagnostics;
using Vigil.Detection.Evaluation;
using Vigil.Detection.Rules;
using Vigil.Detection.Tests;
using Vigil.Events;

// Rules throughput: the whole stable Falco file plus Vigil's rules, on a recorded-looking stream
// of exec/open/connect events. One core: a single thread evaluating in a loop. Two cores: the
// parallel evaluator with two workers fed by this thread in batches of 256, as a ring-buffer
// reader drains them.
string falcoRules = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Vigil.Bench.Rules FALCO_RULES_FILE VIGIL_RULES_FILE");
string vigilRules = args[1];
const int StreamLength = 200_000;
const int Rounds = 15;

RuleLoadResult loaded = RuleLoader.Load([falcoRules, vigilRules]);
if (loaded.Report.HasErrors)
{
    Console.Error.WriteLine(loaded.Report);
    return 1;
}
RuleSet rules = loaded.RuleSet;
List<VigilEvent> stream = SyntheticEvents.Stream(StreamLength);

(double eps, double bytesPerEvent, long detections) OneCore()
{
    var context = new EventContext(rules.Environment);
    var found = new List<RuleDetection>();
    long matched = 0;
    long number = 0;
    void Pass()
    {
        foreach (VigilEvent e in stream)
        {
            context.Reset(e, ++number);
            rules.Evaluate(context, found);
            matched += found.Count;
            found.Clear();
        }
    }
    Pass();
    matched = 0;
    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    for (int round = 0; round < Rounds; round++)
    {
        Pass();
    }
    clock.Stop();
    long events = (long)StreamLength * Rounds;
    return (events / clock.Elapsed.TotalSeconds, (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)events, matched);
}

async Task<double> TwoCores()
{
    long matched = 0;
    await using var evaluator = new ParallelRuleEvaluator(rules, workers: 2, _ => Interlocked.Increment(ref matched));
    VigilEvent[][] batches = stream.Chunk(256).ToArray();
    var clock = Stopwatch.StartNew();
    for (int round = 0; round < Rounds; round++)
    {
        foreach (VigilEvent[] batch in batches)
        {
            await evaluator.PostBatchAsync(batch);
        }
    }
    await evaluator.CompleteAsync();
    clock.Stop();
    return evaluator.Evaluated / clock.Elapsed.TotalSeconds;
}

(double eps1, double alloc, long detections) = OneCore();
double eps2 = await TwoCores();
int active = loaded.Report.Count(RuleState.Active);
Console.WriteLine($"stream: {StreamLength} events x {Rounds} rounds (10% exec, 20% connect, 70% open); detections per pass: {detections / Rounds}");
Console.WriteLine(loaded.Report.ToString().Split('\n')[^2]);
Console.WriteLine($"rules: eps_1core={eps1:F0} eps_2core={eps2:F0} alloc_bytes_per_event={alloc:F2} active_rules={active}");
return 0;
