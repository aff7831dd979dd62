using System.Collections.Concurrent;
using Vigil.Detection.Evaluation;
using Vigil.Detection.Rules;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

public sealed class ParallelEvaluatorTests
{
    [Fact]
    public async Task Every_event_is_evaluated_and_each_pid_keeps_its_order()
    {
        RuleSet rules = RuleHarness.Load(RuleHarness.RuleYaml("every open", "evt.type = openat")).RuleSet;
        var detections = new ConcurrentQueue<RuleDetection>();
        const int Pids = 37;
        const int PerPid = 500;
        await using var evaluator = new ParallelRuleEvaluator(rules, workers: 4, detections.Enqueue, queueCapacity: 64);

        for (int sequence = 0; sequence < PerPid; sequence++)
        {
            for (int pid = 0; pid < Pids; pid++)
            {
                ProcessInfo process = Process("/usr/bin/app", ["app"], pid: (uint)(100 + pid));
                await evaluator.PostAsync(Open("/tmp/f", FileIntent.Read, process, flags: (uint)sequence), TestContext.Current.CancellationToken);
            }
        }
        await evaluator.CompleteAsync();

        Assert.Equal(Pids * PerPid, evaluator.Evaluated);
        Assert.Equal(Pids * PerPid, detections.Count);
        foreach (IGrouping<uint, RuleDetection> perPid in detections.GroupBy(d => d.Event.Process.Pid))
        {
            uint[] sequence = perPid.Select(d => ((FileEvent)d.Event).Flags).ToArray();
            Assert.Equal(Enumerable.Range(0, PerPid).Select(i => (uint)i), sequence);
            Assert.True(perPid.Select(d => d.EventNumber).Order().SequenceEqual(perPid.Select(d => d.EventNumber)));
        }
    }

    [Fact]
    public void Needs_at_least_one_worker() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelRuleEvaluator(RuleHarness.Load("").RuleSet, 0, _ => { }));
}
