using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>
/// Each selector about the acting process, judged in the kernel: every rule watches a directory of
/// its own, so which files ship says which rules matched. Each case has a process it must pass and
/// one it must leave out.
/// </summary>
public sealed class SelectorTests
{
    private static readonly string Cat = Path.GetFullPath("/usr/bin/cat");

    [Fact]
    public void Process_selectors_keep_the_processes_they_name_and_only_those()
    {
        using var run = new JudgedSensorRun();
        string d = run.Directory;
        string[] cases = ["comm", "uid", "notuid", "binary", "parent", "container", "host", "pidns"];
        foreach (string c in cases)
        {
            Directory.CreateDirectory($"{d}/{c}");
            File.WriteAllText($"{d}/{c}/in", "x");
            File.WriteAllText($"{d}/{c}/out", "x");
        }
        ulong hostPidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget is { } target
            ? ulong.Parse(target[5..^1], System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("no pid namespace link");
        JudgeRule On(string c, Func<JudgeRule, JudgeRule> with) => run.Rule(c, r => with(r with { PathPrefixes = [$"{d}/{c}/"] }));
        run.Apply(
            On("comm", r => r with { Comms = ["cat"] }),
            On("uid", r => r with { Uids = [65534] }),
            On("notuid", r => r with { Uids = [0], UidNegated = true }),
            On("binary", r => r with { BinaryExact = [Cat] }),
            On("parent", r => r with { ParentPrefixes = ["/usr/bin/"] }),
            On("container", r => r with { Scope = ProcessScope.Container }),
            On("host", r => r with { Scope = ProcessScope.Host }),
            On("pidns", r => r with { PidNamespaces = [hostPidNamespace] }));

        const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";
        const string NewPidNamespace = "unshare --pid --fork";
        Assert.Equal(0, run.Shell(string.Join("; ",
            "cat comm/in; head comm/out",
            $"{Nobody} cat uid/in; cat uid/out",
            $"{Nobody} cat notuid/in; cat notuid/out",
            "cat binary/in; head binary/out",
            $"{NewPidNamespace} cat container/in; cat container/out",
            $"cat host/in; {NewPidNamespace} cat host/out",
            $"cat pidns/in; {NewPidNamespace} cat pidns/out",
            "cat parent/in")));
        // Started by the test process itself, whose binary is not under /usr/bin/.
        Assert.Equal(0, Children.Run(Cat, $"{d}/parent/out"));

        foreach (string c in cases)
        {
            FileEvent shipped = run.Sink.WaitFor<FileEvent>(e => e.Path == $"{d}/{c}/in");
            Assert.Equal([c], shipped.Policy!.Rules);
        }
        Assert.DoesNotContain(run.Sink.Snapshot().OfType<FileEvent>(), e => e.Path.EndsWith("/out", StringComparison.Ordinal));
    }
}
