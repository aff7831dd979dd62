using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>Policy sets swapped while events flow: each event is judged by exactly one generation.</summary>
public sealed class GenerationTests
{
    [Fact]
    public void Under_load_every_event_is_judged_by_exactly_one_generation()
    {
        using var run = new JudgedSensorRun();
        string d = run.Directory;
        Directory.CreateDirectory(d + "/a");
        Directory.CreateDirectory(d + "/b");
        File.WriteAllText(d + "/a/f", "x");
        File.WriteAllText(d + "/b/f", "x");
        // Generation kinds disagree on everything: which directory, which intent, which rule index.
        JudgeRule[] watchA = [run.Rule("a", r => r with { PathPrefixes = [d + "/a/"], Intent = FileIntent.Read })];
        JudgeRule[] watchB =
        [
            run.Rule("b-unused", r => r with { PathExact = [d + "/nothing"] }),
            run.Rule("b", r => r with { PathPrefixes = [d + "/b/"], Intent = FileIntent.Read }),
        ];
        var kinds = new Dictionary<uint, char>();

        using var writer = Children.StartIn(d, "/usr/bin/python3", "-c",
            "import time\nend = time.time() + 4\nwhile time.time() < end:\n    open('a/f').close(); open('b/f').close()");
        for (int i = 0; !writer.HasExited; i++)
        {
            bool a = i % 2 == 0;
            kinds[run.Apply(a ? watchA : watchB)] = a ? 'a' : 'b';
            Thread.Sleep(5);
        }
        writer.WaitForExit();
        Thread.Sleep(300);

        List<FileEvent> events = [.. run.Sink.Snapshot().OfType<FileEvent>()];
        Assert.True(kinds.Count >= 10, $"only {kinds.Count} generations applied");
        Assert.True(events.Count >= 1000, $"only {events.Count} events");
        Assert.True(events.Select(e => e.Policy!.Generation).Distinct().Count() >= 5, "events of few generations");
        foreach (FileEvent e in events)
        {
            char kind = kinds[e.Policy!.Generation];
            Assert.Equal($"{d}/{kind}/f", e.Path);
            Assert.Equal([kind.ToString()], e.Policy.Rules);
        }
    }
}
