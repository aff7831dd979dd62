using Vigil.Detection.Rules;
using Vigil.Detection.State;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

public sealed class TrackerTests
{
    private static EventContext Observe(RuleEnvironment environment, VigilEvent e)
    {
        var context = new EventContext(environment);
        context.Reset(e, 1);
        environment.Observe(context);
        return context;
    }

    [Fact]
    public void Rename_into_place_counts_as_a_write_of_the_target()
    {
        var environment = new RuleEnvironment();
        Observe(environment, PathPair("renameat2", "/tmp/.x", "/usr/local/bin/x", ShellSession(), at: Now.AddSeconds(-3)));
        Assert.Equal(3000, Observe(environment, Exec("/usr/local/bin/x", ["x"])).ExeWrittenAgeMs);
        Assert.Null(Observe(environment, Exec("/tmp/.x", ["x"])).ExeWrittenAgeMs);
    }

    [Fact]
    public void Reads_and_failed_writes_are_not_writes()
    {
        var environment = new RuleEnvironment();
        Observe(environment, Open("/tmp/a", FileIntent.Read, ShellSession()));
        Observe(environment, Open("/tmp/b", FileIntent.Write, ShellSession(), result: -13));
        Assert.Equal(0, environment.ExecutableWrites.Count);
    }

    [Fact]
    public void A_permission_change_is_not_a_write()
    {
        var environment = new RuleEnvironment();
        Observe(environment, Open("/tmp/tool", FileIntent.Write, ShellSession(), syscall: "fchmodat"));
        Assert.Null(Observe(environment, Exec("/tmp/tool", ["tool"])).ExeWrittenAgeMs);
    }

    [Fact]
    public void Write_tracker_forgets_old_writes_when_full()
    {
        var tracker = new ExecutableWriteTracker(capacity: 2, horizon: TimeSpan.FromMinutes(1));
        var environment = new RuleEnvironment { ExecutableWrites = tracker };
        Observe(environment, Open("/tmp/old", FileIntent.Write, ShellSession(), at: Now.AddMinutes(-5)));
        Observe(environment, Open("/tmp/recent", FileIntent.Write, ShellSession(), at: Now.AddSeconds(-5)));
        Observe(environment, Open("/tmp/new", FileIntent.Write, ShellSession()));
        Assert.Equal(2, tracker.Count);
        Assert.Null(Observe(environment, Exec("/tmp/old", ["old"])).ExeWrittenAgeMs);
        Assert.Equal(5000, Observe(environment, Exec("/tmp/recent", ["recent"])).ExeWrittenAgeMs);
    }

    [Fact]
    public void First_connect_is_per_binary_and_only_for_outbound_connects()
    {
        var environment = new RuleEnvironment();
        ProcessInfo curl = Process("/usr/bin/curl", ["curl"]);
        Assert.True(Observe(environment, Connect(curl, "1.1.1.1", 443)).FirstConnect);
        Assert.False(Observe(environment, Connect(curl, "8.8.8.8", 53)).FirstConnect);
        Assert.Null(Observe(environment, Open("/etc/hosts", FileIntent.Read, curl)).FirstConnect);
        NetworkEvent inbound = Connect(Process("/usr/sbin/nginx", ["nginx"]), "10.0.0.5", 80, direction: NetworkDirection.Inbound, syscall: "accept");
        Assert.Null(Observe(environment, inbound).FirstConnect);
    }

    [Fact]
    public void First_connect_tracker_stops_learning_when_full()
    {
        var environment = new RuleEnvironment { FirstConnects = new FirstConnectTracker(capacity: 1) };
        Assert.True(Observe(environment, Connect(Process("/a", ["a"]), "1.1.1.1", 1)).FirstConnect);
        Assert.False(Observe(environment, Connect(Process("/b", ["b"]), "1.1.1.1", 1)).FirstConnect);
    }

    [Fact]
    public void Connect_without_a_known_binary_leaves_the_field_missing()
    {
        var environment = new RuleEnvironment();
        NetworkEvent anonymous = Connect(Process("/x", ["x"]), "1.1.1.1", 1);
        anonymous.Context = null;
        Assert.Null(Observe(environment, anonymous).FirstConnect);
    }
}
