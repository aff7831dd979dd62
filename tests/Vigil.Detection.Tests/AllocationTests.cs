using Vigil.Testing;
using Vigil.Detection.Rules;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

/// <summary>
/// Evaluating events that match nothing must not allocate, with the whole stable file loaded.
/// Counts bytes, not time: GC.GetAllocatedBytesForCurrentThread around many evaluations.
/// </summary>
public sealed class AllocationTests
{
    [Fact]
    public void Non_matching_events_allocate_nothing()
    {
        RuleSet rules = RuleLoader.Load([FalcoRulesLocation.StableRules, Path.Combine(FalcoRulesLocation.RepositoryRoot, "rules", "vigil_rules.yaml")]).RuleSet;
        ProcessInfo worker = Process("/usr/bin/python3", ["python3", "app.py", "--port", "8080"], ShellSession(), pid: 2000);
        VigilEvent[] events =
        [
            Exec("/usr/bin/ls", ["ls", "-la", "/var/www"]),
            Exec("/usr/bin/grep", ["grep", "-r", "TODO", "."]),
            Exec("/bin/sh", ["sh", "-c", "make"], worker, pid: 2001),
            Open("/usr/lib/x86_64-linux-gnu/libc.so.6", FileIntent.Read, worker, flags: 0x80000),
            Open("/var/log/app.log", FileIntent.Write, worker, flags: 0x441),
            Connect(worker, "93.184.216.34", 443),
            Ptrace(worker, 7),
            PathPair("renameat2", "/tmp/a", "/tmp/b", worker),
        ];
        var context = new EventContext(rules.Environment);
        var detections = new List<RuleDetection>();
        void EvaluateAll(int rounds)
        {
            for (int round = 0; round < rounds; round++)
            {
                foreach (VigilEvent e in events)
                {
                    context.Reset(e, round);
                    rules.Evaluate(context, detections);
                }
            }
        }

        EvaluateAll(100);
        Assert.DoesNotContain(detections, d => d.RuleName != "First outbound connection of a binary");
        detections.Clear();

        long before = GC.GetAllocatedBytesForCurrentThread();
        EvaluateAll(10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(detections);
        Assert.Equal(0, allocated);
    }
}
