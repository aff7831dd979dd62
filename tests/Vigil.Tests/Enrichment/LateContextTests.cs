using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Tests.Support;
using static Vigil.Tests.Support.SensorRecords;

namespace Vigil.Tests.Enrichment;

/// <summary>Events that overtake their process's exec wait for it, boundedly, and are never given an invented context.</summary>
public sealed class LateContextTests
{
    private static readonly ExecId Shell = new(1, 4242, 777);
    private static readonly ExecId Child = new(1, 4243, 778);

    private static ProcessEnricher Enricher(CollectingSink sink, TimeSpan wait) =>
        new(new ProcessCache(64), sink, late: new LateContextOptions { Wait = wait });

    [Fact]
    public void An_event_read_before_its_exec_goes_on_after_it_with_the_process()
    {
        var sink = new CollectingSink();
        using var enricher = Enricher(sink, TimeSpan.FromSeconds(30));

        enricher.Publish(Open(Shell, "/etc/first"));
        enricher.Publish(Open(Shell, "/etc/second"));
        Assert.Empty(sink.Snapshot());
        enricher.Publish(Exec(Shell));

        List<VigilEvent> seen = sink.Snapshot();
        Assert.Collection(seen,
            e => Assert.IsType<ProcessExecEvent>(e),
            e => Assert.Equal("/etc/first", Assert.IsType<FileEvent>(e).Path),
            e => Assert.Equal("/etc/second", Assert.IsType<FileEvent>(e).Path));
        Assert.All(seen, e => Assert.Equal("/bin/sh", e.Context!.Binary));
        Assert.Equal(2, enricher.Late.Filled);
        Assert.Equal(0, enricher.Late.Waiting);
    }

    [Fact]
    public void A_forked_child_releases_its_events_too()
    {
        var sink = new CollectingSink();
        using ProcessEnricher enricher = Enricher(sink, TimeSpan.FromSeconds(30));
        enricher.Publish(Exec(Shell));

        enricher.Publish(Open(Child, "/tmp/x"));
        enricher.Publish(Fork(Shell, Child));

        FileEvent open = sink.WaitFor<FileEvent>(e => e.Path == "/tmp/x");
        Assert.Equal(Child, open.Context!.ExecId);
        Assert.Equal("/bin/sh", open.Context.Binary);
    }

    [Fact]
    public void A_forked_childs_event_that_already_carries_its_new_name_waits_for_the_exec_and_gets_its_image()
    {
        var sink = new CollectingSink();
        using ProcessEnricher enricher = Enricher(sink, TimeSpan.FromSeconds(30));
        enricher.Publish(Exec(Shell));
        enricher.Publish(Fork(Shell, Child));
        // Before its exec the child is the shell; its events say "sh" and go on with the shell's image.
        enricher.Publish(Open(Child, "/tmp/before"));
        Assert.Equal("/bin/sh", sink.WaitFor<FileEvent>(e => e.Path == "/tmp/before").Context!.Binary);

        // The ring with the child's open was read before the one with its exec: the open already says "cat".
        enricher.Publish(Open(Child, "/etc/shadow", comm: "cat"));
        Assert.DoesNotContain(sink.Snapshot(), e => e is FileEvent { Path: "/etc/shadow" });
        enricher.Publish(Exec(Child, "/usr/bin/cat"));

        FileEvent read = sink.WaitFor<FileEvent>(e => e.Path == "/etc/shadow");
        Assert.Equal("/usr/bin/cat", read.Context!.Binary);
        Assert.Equal(1, enricher.Late.Filled);
    }

    [Fact]
    public void A_childs_new_name_seen_before_its_fork_keeps_waiting_past_the_fork_for_the_exec()
    {
        var sink = new CollectingSink();
        using ProcessEnricher enricher = Enricher(sink, TimeSpan.FromSeconds(30));
        enricher.Publish(Exec(Shell));

        enricher.Publish(Open(Child, "/etc/shadow", comm: "cat"));
        enricher.Publish(Fork(Shell, Child));
        Assert.DoesNotContain(sink.Snapshot(), e => e is FileEvent);
        enricher.Publish(Exec(Child, "/usr/bin/cat"));

        Assert.Equal("/usr/bin/cat", sink.WaitFor<FileEvent>(e => e.Path == "/etc/shadow").Context!.Binary);
    }

    [Fact]
    public void A_renamed_thread_of_a_forked_child_goes_on_with_the_forked_image_when_no_exec_comes()
    {
        var sink = new CollectingSink();
        using ProcessEnricher enricher = Enricher(sink, TimeSpan.FromMilliseconds(100));
        enricher.Publish(Exec(Shell));
        enricher.Publish(Fork(Shell, Child));

        enricher.Publish(Open(Child, "/var/log/worker", comm: "worker-1"));
        FileEvent open = sink.WaitFor<FileEvent>(e => e.Path == "/var/log/worker", TimeSpan.FromSeconds(5));

        Assert.Equal(Child, open.Context!.ExecId);
        Assert.Equal("/bin/sh", open.Context.Binary);
        Assert.Equal(1, enricher.Late.Expired);
    }

    [Fact]
    public void When_the_process_never_comes_the_event_goes_on_without_context_after_the_wait()
    {
        var sink = new CollectingSink();
        using var enricher = Enricher(sink, TimeSpan.FromMilliseconds(100));

        enricher.Publish(Open(Shell, "/etc/orphan"));
        FileEvent open = sink.WaitFor<FileEvent>(e => e.Path == "/etc/orphan", TimeSpan.FromSeconds(5));

        Assert.Null(open.Context);
        Assert.Equal(1, enricher.Late.Expired);
        Assert.Equal(0, enricher.Late.Filled);
    }

    [Fact]
    public void Beyond_capacity_events_go_on_at_once_and_are_counted()
    {
        var sink = new CollectingSink();
        using var enricher = new ProcessEnricher(new ProcessCache(64), sink, late: new LateContextOptions { Wait = TimeSpan.FromSeconds(30), Capacity = 2 });

        for (int i = 0; i < 5; i++)
        {
            enricher.Publish(Open(Shell, $"/etc/{i}"));
        }

        Assert.Equal(3, sink.Snapshot().Count);
        Assert.Equal(3, enricher.Late.Overflowed);
        Assert.Equal(2, enricher.Late.Waiting);
    }

    [Fact]
    public void Disposing_passes_on_what_still_waits()
    {
        var sink = new CollectingSink();
        var enricher = Enricher(sink, TimeSpan.FromSeconds(30));
        enricher.Publish(Open(Shell, "/etc/pending"));
        enricher.Dispose();
        Assert.Equal("/etc/pending", Assert.IsType<FileEvent>(Assert.Single(sink.Snapshot())).Path);
    }
}
