using Vigil.Correlation;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Sequences;
using Vigil.Correlation.Signals;
using Vigil.Events;
using Vigil.Tests.Support;

namespace Vigil.Tests.Correlation;

public sealed class SequenceTests
{
    private readonly SyntheticEvents _events = new();

    private static SequenceRule Rule(TimeSpan within, params SequenceStep[] steps) => new()
    {
        Name = "shell calls out then persists",
        Title = "A server's shell called out and persisted",
        Priority = "CRITICAL",
        Within = within,
        Steps = steps,
    };

    private static SequenceStep Step(string name, string rule, StepJoin join = StepJoin.None, bool optional = false) =>
        new() { Name = name, Findings = new HashSet<string> { rule }, Join = join, Optional = optional };

    private static Signal Detect(Correlator c, string rule, VigilEvent e) =>
        SignalFactory.FromDetection(c.NextSignalId(), rule, "NOTICE", rule, [], e);

    private SequenceRule ThreeSteps(TimeSpan? within = null, bool middleOptional = false) => Rule(within ?? TimeSpan.FromMinutes(10),
        Step("shell", "Shell spawned by server"),
        Step("callout", "Outbound connection", StepJoin.Process, middleOptional),
        Step("persist", "Persistence write", StepJoin.Process));

    [Fact]
    public void Steps_in_order_joined_by_process_complete_the_sequence()
    {
        var c = new Correlator(new CorrelatorOptions(), [ThreeSteps()]);
        ProcessInfo shell = _events.Process("/bin/sh", _events.Process("/usr/sbin/nginx"));
        ProcessInfo nc = _events.Process("/bin/nc", shell);
        Signal first = Detect(c, "Shell spawned by server", _events.Exec(shell));
        c.Observe(first);
        c.Observe(Detect(c, "Outbound connection", _events.Connect(nc, "192.0.2.1", 4444)));
        Assert.DoesNotContain(c.Published, i => i.Findings.Contains("shell calls out then persists"));
        c.Observe(Detect(c, "Persistence write", _events.File(shell, "/etc/cron.d/x", FileIntent.Write)));

        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal("A server's shell called out and persisted", incident.Title);
        Assert.Contains("shell calls out then persists", incident.Findings);
        Assert.Same(first, incident.RootCause);
        Assert.Equal(3, incident.Chain.Count(e => e.Reason == EdgeReason.SequenceStep && e.Detail.Contains("->", StringComparison.Ordinal)) + 1);
    }

    [Fact]
    public void Steps_out_of_order_or_outside_the_window_do_not_complete()
    {
        var c = new Correlator(new CorrelatorOptions { Window = TimeSpan.FromHours(1) }, [ThreeSteps(TimeSpan.FromMinutes(1))]);
        ProcessInfo shell = _events.Process("/bin/sh");
        c.Observe(Detect(c, "Persistence write", _events.File(shell, "/etc/cron.d/x", FileIntent.Write)));
        c.Observe(Detect(c, "Shell spawned by server", _events.Exec(shell)));
        c.Observe(Detect(c, "Outbound connection", _events.Connect(shell, "192.0.2.1", 4444, TimeSpan.FromMinutes(2))));
        c.Observe(Detect(c, "Persistence write", _events.File(shell, "/etc/cron.d/y", FileIntent.Write)));
        Assert.DoesNotContain(c.Published, i => i.Findings.Contains("shell calls out then persists"));
    }

    [Fact]
    public void A_step_that_does_not_join_the_previous_one_does_not_advance()
    {
        var c = new Correlator(new CorrelatorOptions(), [ThreeSteps()]);
        ProcessInfo shell = _events.Process("/bin/sh");
        ProcessInfo stranger = _events.Process("/usr/bin/curl");
        c.Observe(Detect(c, "Shell spawned by server", _events.Exec(shell)));
        c.Observe(Detect(c, "Outbound connection", _events.Connect(stranger, "192.0.2.1", 443)));
        c.Observe(Detect(c, "Persistence write", _events.File(shell, "/etc/cron.d/x", FileIntent.Write)));
        Assert.DoesNotContain(c.Published, i => i.Findings.Contains("shell calls out then persists"));
    }

    [Fact]
    public void An_optional_step_may_be_skipped()
    {
        var c = new Correlator(new CorrelatorOptions(), [ThreeSteps(middleOptional: true)]);
        ProcessInfo shell = _events.Process("/bin/sh");
        c.Observe(Detect(c, "Shell spawned by server", _events.Exec(shell)));
        c.Observe(Detect(c, "Persistence write", _events.File(shell, "/etc/cron.d/x", FileIntent.Write)));
        Assert.Contains(c.Published, i => i.Findings.Contains("shell calls out then persists"));
    }

    [Fact]
    public void Plain_event_steps_join_the_incident_and_the_first_can_be_the_root_cause()
    {
        // download -> exec of the downloaded file -> outbound connection, the first step a plain event.
        var download = new SequenceStep
        {
            Name = "download",
            EventCondition = e => e is FileEvent { Intent: FileIntent.Write } f && f.Path.StartsWith("/tmp/", StringComparison.Ordinal),
        };
        var rule = Rule(TimeSpan.FromMinutes(5), download, Step("exec", "Exec of new file", StepJoin.File), Step("call out", "Outbound connection", StepJoin.Process));
        var c = new Correlator(new CorrelatorOptions(), [rule]);
        ProcessInfo curl = _events.Process("/usr/bin/curl");
        ProcessInfo payload = _events.Process("/tmp/payload");

        c.ObserveEvent(_events.File(curl, "/tmp/payload", FileIntent.Write));
        c.Observe(Detect(c, "Exec of new file", _events.Exec(payload)));
        c.Observe(Detect(c, "Outbound connection", _events.Connect(payload, "192.0.2.50", 3333)));

        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal(SignalKind.Event, incident.RootCause.Kind);
        Assert.Equal("/tmp/payload", incident.RootCause.Entities.File);
        Assert.Equal($"{rule.Name}: download", incident.Steps[incident.RootCause.Id]);
    }

    [Fact]
    public void Partial_matches_are_capped_and_evictions_counted()
    {
        var matcher = new SequenceMatcher([ThreeSteps()], maxPartialsPerRule: 2);
        var c = new Correlator(new CorrelatorOptions(), []);
        for (int i = 0; i < 5; i++)
        {
            matcher.Observe(Detect(c, "Shell spawned by server", _events.Exec(_events.Process("/bin/sh"))));
        }
        Assert.Equal(2, matcher.PartialCount);
        Assert.Equal(3, matcher.Evicted);
    }
}
