using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>Count, sample and rate limit, applied in the kernel: what ships and what is only counted.</summary>
public sealed class ActionTests
{
    private static RuleCountersRecord CountersOf(JudgedSensorRun run, string rule) =>
        run.Tables.Counters().Single(c => c.Rule.Name == rule).Counters;

    [Fact]
    public void Count_ships_nothing_and_counts_every_match()
    {
        using var run = new JudgedSensorRun();
        File.WriteAllText(run.Directory + "/f", "x\n");
        run.Apply(run.Rule("count", r => r with { PathExact = [run.Directory + "/f"], Action = JudgeAction.Count }));
        Assert.Equal(0, run.Shell("for i in 1 2 3 4 5 6 7 8 9 10; do read x < f; done; touch f"));

        // touch's own open is the 11th match: once it is counted, the loop's ten were too.
        SpinWait.SpinUntil(() => CountersOf(run, "count").Matched >= 11, TimeSpan.FromSeconds(5));
        RuleCountersRecord counters = CountersOf(run, "count");
        Assert.Equal((11UL, 0UL, 11UL), (counters.Matched, counters.Shipped, counters.Suppressed));
        Assert.Empty(run.Sink.Snapshot().OfType<FileEvent>());
    }

    [Fact]
    public void Sample_ships_one_in_n_per_cpu()
    {
        using var run = new JudgedSensorRun();
        File.WriteAllText(run.Directory + "/f", "x\n");
        run.Apply(run.Rule("sample", r => r with { PathExact = [run.Directory + "/f"], Action = JudgeAction.Sample, SampleEvery = 4 }));
        // One shell on one CPU (taskset) opens 40 times: exactly every 4th ships.
        Assert.Equal(0, run.Shell("taskset -c 0 sh -c 'i=0; while [ $i -lt 40 ]; do read x < f; i=$((i+1)); done'"));

        SpinWait.SpinUntil(() => run.Sink.Snapshot().OfType<FileEvent>().Count() >= 10, TimeSpan.FromSeconds(5));
        Thread.Sleep(200);
        Assert.Equal(10, run.Sink.Snapshot().OfType<FileEvent>().Count());
        RuleCountersRecord counters = CountersOf(run, "sample");
        Assert.Equal((40UL, 10UL, 30UL), (counters.Matched, counters.Shipped, counters.Suppressed));
    }

    [Fact]
    public void Rate_limit_ships_n_per_interval_per_process_and_reports_what_it_held_back()
    {
        using var run = new JudgedSensorRun();
        File.WriteAllText(run.Directory + "/f", "x\n");
        run.Apply(run.Rule("rate", r => r with
        {
            PathExact = [run.Directory + "/f"],
            Action = JudgeAction.RateLimit,
            RateLimit = 3,
            RateInterval = TimeSpan.FromSeconds(1),
        }));
        // One process: ten opens in a burst, then one more after the interval.
        using var child = Children.StartIn(run.Directory, "/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do read x < f; done; sleep 1.2; read x < f");
        child.WaitForExit();
        // Another process has a budget of its own.
        Assert.Equal(0, run.Shell("read x < f"));

        SpinWait.SpinUntil(() => run.Sink.Snapshot().OfType<FileEvent>().Count() >= 5, TimeSpan.FromSeconds(5));
        Thread.Sleep(200);
        List<FileEvent> fromBurst = [.. run.Sink.Snapshot().OfType<FileEvent>().Where(e => e.Process.Pid == (uint)child.Id)];
        Assert.Equal(4, fromBurst.Count);
        Assert.Equal([0u, 0u, 0u, 7u], fromBurst.Select(e => e.Policy!.Suppressed));
        Assert.Single(run.Sink.Snapshot().OfType<FileEvent>(), e => e.Process.Pid != (uint)child.Id);
    }
}
