using System.Buffers;
using System.Text.Json;
using Vigil.Correlation;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Sequences;
using Vigil.Correlation.Signals;
using Vigil.Events;
using Vigil.Tests.Support;

namespace Vigil.Tests.Correlation;

public sealed class CorrelatorTests
{
    private readonly SyntheticEvents _events = new();
    private readonly List<IncidentReport> _updates = [];

    private Correlator Create(IReadOnlyList<SequenceRule>? sequences = null, CorrelatorOptions? options = null)
    {
        var correlator = new Correlator(options ?? new CorrelatorOptions(), sequences ?? []);
        correlator.IncidentUpdated += _updates.Add;
        return correlator;
    }

    private static Signal Detect(Correlator c, string rule, string priority, VigilEvent e) =>
        SignalFactory.FromDetection(c.NextSignalId(), rule, priority, $"{rule} ({e.Process.Comm})", [], e);

    [Fact]
    public void Two_detections_in_one_process_tree_make_one_incident_rooted_at_the_first()
    {
        Correlator c = Create();
        ProcessInfo server = _events.Process("/usr/sbin/nginx");
        ProcessInfo shell = _events.Process("/bin/sh", server);
        ProcessInfo curl = _events.Process("/usr/bin/curl", shell);

        Signal spawn = Detect(c, "Shell spawned by server", "WARNING", _events.Exec(shell));
        c.Observe(spawn);
        Assert.Empty(_updates); // one warning is a candidate, not yet an incident
        Signal callout = Detect(c, "Outbound connection from shell child", "WARNING", _events.Connect(curl, "203.0.113.9", 4444));
        c.Observe(callout);

        IncidentReport incident = Assert.Single(c.Published);
        Assert.Same(spawn, incident.RootCause);
        CausalEdge edge = Assert.Single(incident.Chain);
        Assert.Equal((spawn.Id, callout.Id, EdgeReason.Descendant), (edge.From, edge.To, edge.Reason));
        Assert.Equal(["Shell spawned by server", "Outbound connection from shell child"], incident.Findings);
        Assert.InRange(incident.Confidence, 0.6, 0.95);
        Assert.Empty(incident.Missing);
    }

    [Fact]
    public void Detections_in_unrelated_processes_stay_apart_and_unpublished()
    {
        Correlator c = Create();
        c.Observe(Detect(c, "A", "WARNING", _events.Exec(_events.Process("/bin/a"))));
        c.Observe(Detect(c, "B", "WARNING", _events.Exec(_events.Process("/bin/b"))));
        Assert.Empty(c.Published);
        Assert.Equal(2, c.OpenIncidents);
    }

    [Fact]
    public void A_single_critical_detection_is_an_incident_on_its_own()
    {
        Correlator c = Create();
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(_events.Process("/sbin/insmod", _events.Process("/bin/sh")))));
        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal(0.9 * SingleSignalEvidence, incident.Confidence, 3);
    }

    private static double SingleSignalEvidence => Confidence.EvidenceBase + ((1 - Confidence.EvidenceBase) * (1 - Math.Exp(-1 / 3.0)));

    [Fact]
    public void Plain_events_join_an_incident_as_evidence_but_never_start_one()
    {
        Correlator c = Create();
        ProcessInfo shell = _events.Process("/bin/sh");
        c.ObserveEvent(_events.Exec(shell));
        Assert.Equal(0, c.OpenIncidents);

        ProcessInfo insmod = _events.Process("/sbin/insmod", shell);
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(insmod)));
        c.ObserveEvent(_events.Exec(_events.Process("/sbin/modprobe", insmod)));
        c.ObserveEvent(_events.Exec(_events.Process("/bin/unrelated")));
        Assert.Single(c.Published.Single().Timeline); // evidence alone makes no new revision...
        c.CloseIdle(_events.Now.AddHours(1));

        IncidentReport incident = c.Published.Single(); // ...the closing one carries it
        Assert.Equal(IncidentStatus.Closed, incident.Status);
        Assert.Equal(2, incident.Timeline.Count);
        Assert.Equal(SignalKind.Event, incident.Timeline[1].Kind);
        Assert.Equal("process.exec", incident.Timeline[1].Name);
    }

    [Fact]
    public void Evidence_joins_through_its_own_process_lineage_not_through_a_shared_supervisor()
    {
        Correlator c = Create();
        ProcessInfo runner = _events.Process("/usr/local/bin/ci-runner", _events.Process("/usr/lib/systemd/systemd"));
        ProcessInfo attacked = _events.Process("/bin/sh", runner);
        ProcessInfo benign = _events.Process("/usr/bin/make", runner);
        c.Observe(Detect(c, "Drop and execute new binary in container", "CRITICAL", _events.Exec(attacked)));

        ProcessInfo payload = _events.Process("/tmp/payload", attacked);
        ProcessInfo compiler = _events.Process("/usr/bin/cc", benign);
        c.ObserveEvent(_events.File(attacked, "/etc/passwd", FileIntent.Read));
        c.ObserveEvent(_events.Exec(benign));
        c.ObserveEvent(_events.File(benign, "/src/Makefile", FileIntent.Read));
        c.ObserveEvent(_events.Exec(payload));
        c.ObserveEvent(_events.Exec(compiler));
        c.ObserveEvent(_events.File(benign, "/src/main.o", FileIntent.Write | FileIntent.Create));
        c.CloseIdle(_events.Now.AddHours(1));

        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal(
            [attacked.ExecId, attacked.ExecId, payload.ExecId],
            incident.Timeline.Select(s => s.Entities.Process));
    }

    [Fact]
    public void A_file_written_then_executed_links_unrelated_processes()
    {
        Correlator c = Create();
        ProcessInfo dropper = _events.Process("/usr/bin/curl");
        ProcessInfo payload = _events.Process("/tmp/x");
        Signal write = Detect(c, "Write below tmp", "NOTICE", _events.File(dropper, "/tmp/x", FileIntent.Write | FileIntent.Create));
        Signal exec = Detect(c, "Exec from tmp", "WARNING", _events.Exec(payload));
        c.Observe(write);
        c.Observe(exec);

        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal(EdgeReason.FileWrittenThenUsed, Assert.Single(incident.Chain).Reason);
        Assert.Same(write, incident.RootCause);
    }

    [Fact]
    public void A_signal_that_links_two_incidents_merges_them()
    {
        Correlator c = Create();
        ProcessInfo a = _events.Process("/bin/a");
        ProcessInfo b = _events.Process("/bin/b");
        c.Observe(Detect(c, "A", "WARNING", _events.Connect(a, "198.51.100.7", 443)));
        c.Observe(Detect(c, "B", "WARNING", _events.Exec(b)));
        Assert.Equal(2, c.OpenIncidents);

        ProcessInfo bChild = _events.Process("/bin/sh", b);
        c.Observe(Detect(c, "C", "WARNING", _events.Connect(bChild, "198.51.100.7", 443)));

        Assert.Equal(1, c.OpenIncidents);
        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal(["A", "B", "C"], incident.Findings);
        Assert.Contains(incident.Chain, e => e.Reason == EdgeReason.SameRemoteAddress);
        Assert.Contains(incident.Chain, e => e.Reason == EdgeReason.Descendant);
    }

    [Fact]
    public void A_rule_firing_again_on_the_same_process_adds_evidence_but_no_finding()
    {
        Correlator c = Create();
        ProcessInfo shell = _events.Process("/bin/sh", _events.Process("/usr/sbin/nginx"));
        c.Observe(Detect(c, "Shell spawned by server", "CRITICAL", _events.Exec(shell)));
        c.Observe(Detect(c, "Shell spawned by server", "CRITICAL", _events.Exec(shell)));

        double twoSignalEvidence = Confidence.EvidenceBase + ((1 - Confidence.EvidenceBase) * (1 - Math.Exp(-2 / 3.0)));
        Assert.Equal(0.9 * twoSignalEvidence, c.Published.Single().Confidence, 3);
    }

    [Fact]
    public void A_warning_repeating_on_one_process_stays_a_candidate()
    {
        Correlator c = Create();
        ProcessInfo debugger = _events.Process("/usr/bin/gdb");
        c.Observe(Detect(c, "PTRACE attached to process", "WARNING", _events.Exec(debugger)));
        c.Observe(Detect(c, "PTRACE attached to process", "WARNING", _events.Exec(debugger)));
        Assert.Empty(c.Published);

        c.Observe(Detect(c, "Read sensitive file untrusted", "WARNING", _events.Exec(debugger)));
        Assert.Single(c.Published);
    }

    [Fact]
    public void Connections_to_loopback_link_nothing_every_local_client_shares_it()
    {
        Correlator c = Create();
        c.Observe(Detect(c, "A", "WARNING", _events.Connect(_events.Process("/bin/a"), "127.0.0.1", 3333)));
        c.Observe(Detect(c, "B", "WARNING", _events.Connect(_events.Process("/bin/b"), "127.0.0.1", 3333)));
        c.Observe(Detect(c, "C", "WARNING", _events.Connect(_events.Process("/bin/c"), "::ffff:127.0.0.1", 3333)));

        Assert.Empty(c.Published);
        Assert.Equal(3, c.OpenIncidents);
    }

    [Fact]
    public void Kernel_drops_are_named_as_missing_and_lower_the_confidence()
    {
        double Run(bool drops)
        {
            var events = new SyntheticEvents();
            var c = new Correlator(new CorrelatorOptions(), []);
            ProcessInfo shell = events.Process("/bin/sh");
            c.Observe(Detect(c, "A", "WARNING", events.Exec(shell)));
            if (drops)
            {
                c.ReportDrops(events.Now, 12);
            }
            c.Observe(Detect(c, "B", "WARNING", events.Exec(events.Process("/bin/nc", shell))));
            IncidentReport incident = c.Published.Single();
            Assert.Equal(drops, incident.Missing.Any(m => m.Contains("kernel drops", StringComparison.Ordinal)));
            return incident.Confidence;
        }
        Assert.True(Run(drops: true) < Run(drops: false));
    }

    [Fact]
    public void An_unknown_parent_is_named_as_missing()
    {
        Correlator c = Create();
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(_events.Process("/sbin/insmod"))));
        Assert.Contains("parent process unknown for Kernel module load", Assert.Single(c.Published).Missing);
    }

    [Fact]
    public void Idle_incidents_close_and_say_so()
    {
        Correlator c = Create(options: new CorrelatorOptions { IdleClose = TimeSpan.FromMinutes(1) });
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(_events.Process("/sbin/insmod"))));
        Assert.Equal(0, c.CloseIdle(_events.Now.AddSeconds(30)));
        Assert.Equal(1, c.CloseIdle(_events.Now.AddMinutes(2)));
        Assert.Equal(IncidentStatus.Closed, _updates[^1].Status);
        Assert.Equal(2, _updates[^1].Revision);
        Assert.Equal(0, c.OpenIncidents);
    }

    [Fact]
    public void A_burst_of_findings_is_carried_by_one_revision_once_the_interval_is_over()
    {
        Correlator c = Create();
        ProcessInfo shell = _events.Process("/bin/sh");
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(_events.Process("/sbin/insmod", shell))));
        DateTime first = _events.Now;
        for (int i = 0; i < 5; i++)
        {
            c.Observe(Detect(c, $"R{i}", "WARNING", _events.Exec(_events.Process($"/bin/c{i}", shell), TimeSpan.FromMilliseconds(100))));
        }
        IncidentReport published = Assert.Single(_updates); // the first revision at once, the burst held back
        Assert.Single(published.Findings);

        c.CloseIdle(first.AddMilliseconds(900));
        Assert.Single(_updates);
        c.CloseIdle(first.AddSeconds(1));
        Assert.Equal((2, 6), (_updates[^1].Revision, _updates[^1].Findings.Count));

        c.CloseIdle(first.AddHours(1));
        Assert.Equal((3, IncidentStatus.Closed, 6), (_updates[^1].Revision, _updates[^1].Status, _updates[^1].Findings.Count));
    }

    [Fact]
    public void A_held_back_revision_is_published_before_the_incident_closes()
    {
        Correlator c = Create(options: new CorrelatorOptions { RevisionInterval = TimeSpan.FromDays(1) });
        ProcessInfo shell = _events.Process("/bin/sh");
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(_events.Process("/sbin/insmod", shell))));
        c.Observe(Detect(c, "Shell", "WARNING", _events.Exec(_events.Process("/bin/c", shell), TimeSpan.FromSeconds(1))));
        Assert.Single(_updates);

        c.CloseIdle(_events.Now.AddHours(1));
        IncidentReport closed = _updates[^1];
        Assert.Equal((2, IncidentStatus.Closed), (closed.Revision, closed.Status));
        Assert.Equal(["Kernel module load", "Shell"], closed.Findings);
    }

    [Fact]
    public void Open_incidents_are_capped_and_evictions_counted()
    {
        Correlator c = Create(options: new CorrelatorOptions { MaxOpenIncidents = 3 });
        for (int i = 0; i < 5; i++)
        {
            c.Observe(Detect(c, $"R{i}", "NOTICE", _events.Exec(_events.Process($"/bin/p{i}"))));
        }
        Assert.Equal(3, c.OpenIncidents);
        Assert.Equal(2, c.IncidentsEvicted);
    }

    [Fact]
    public void Evidence_beyond_the_cap_is_counted_not_kept()
    {
        Correlator c = Create(options: new CorrelatorOptions { MaxSignalsPerIncident = 3 });
        ProcessInfo shell = _events.Process("/bin/sh");
        c.Observe(Detect(c, "Kernel module load", "CRITICAL", _events.Exec(shell)));
        for (int i = 0; i < 5; i++)
        {
            c.ObserveEvent(_events.File(shell, $"/etc/f{i}", FileIntent.Read));
        }
        c.CloseIdle(_events.Now.AddHours(1));
        IncidentReport incident = c.Published.Single();
        Assert.Equal(3, incident.Timeline.Count);
        Assert.Equal(3, incident.EvidenceDropped);
    }

    [Fact]
    public void A_merge_keeps_the_evidence_cap_by_dropping_the_oldest_plain_events()
    {
        Correlator c = Create(options: new CorrelatorOptions { MaxSignalsPerIncident = 4 });
        ProcessInfo a = _events.Process("/bin/a");
        ProcessInfo b = _events.Process("/bin/b");
        c.Observe(Detect(c, "A", "WARNING", _events.Connect(a, "198.51.100.7", 443)));
        c.ObserveEvent(_events.File(a, "/etc/a1", FileIntent.Read));
        c.ObserveEvent(_events.File(a, "/etc/a2", FileIntent.Read));
        c.Observe(Detect(c, "B", "WARNING", _events.Exec(b)));
        c.ObserveEvent(_events.File(b, "/etc/b1", FileIntent.Read));
        c.ObserveEvent(_events.File(b, "/etc/b2", FileIntent.Read));

        c.Observe(Detect(c, "C", "WARNING", _events.Connect(_events.Process("/bin/sh", b), "198.51.100.7", 443)));

        IncidentReport incident = Assert.Single(c.Published);
        Assert.Equal(["A", "B", "C"], incident.Findings);
        Assert.Equal(4, incident.Timeline.Count);
        Assert.Equal(3, incident.EvidenceDropped);
        Assert.All(incident.Chain, e => Assert.Contains(incident.Timeline, s => s.Id == e.To));
    }

    /// <summary>A miner that reconnects to its pool every few seconds and now and then probes for credentials.</summary>
    private static (IncidentReport Incident, List<Signal> Findings) Miner(int repeats, int maxFindings)
    {
        var events = new SyntheticEvents();
        var c = new Correlator(new CorrelatorOptions { MaxFindingsPerIncident = maxFindings }, []);
        ProcessInfo miner = events.Process("/tmp/xmrig", events.Process("/bin/sh", events.Process("/usr/sbin/sshd")));
        var findings = new List<Signal> { Detect(c, "Drop and execute new binary in container", "CRITICAL", events.Exec(miner)) };
        c.Observe(findings[0]);
        for (int i = 0; i < repeats; i++)
        {
            findings.Add(i % 10 == 9
                ? Detect(c, "Read sensitive file untrusted", "WARNING", events.File(miner, "/etc/shadow", FileIntent.Read, after: TimeSpan.FromSeconds(5)))
                : Detect(c, "Detect outbound connections to common miner pool ports", "CRITICAL", events.Connect(miner, "198.51.100.7", 3333, TimeSpan.FromSeconds(5))));
            c.Observe(findings[^1]);
            c.ObserveEvent(events.File(miner, "/proc/cpuinfo", FileIntent.Read));
        }
        return (Assert.Single(c.Published), findings);
    }

    [Fact]
    public void Findings_beyond_the_cap_keep_the_root_cause_the_first_and_the_most_recent_and_count_the_rest()
    {
        (IncidentReport incident, List<Signal> findings) = Miner(repeats: 30, maxFindings: 8);

        Assert.Same(findings[0], incident.RootCause);
        long[] kept = [.. incident.Timeline.Where(s => s.Kind != SignalKind.Event).Select(s => s.Id)];
        Assert.Equal([.. findings.Take(4).Concat(findings.TakeLast(4)).Select(s => s.Id)], kept);
        Assert.Equal(new Dictionary<string, long>
        {
            ["Detect outbound connections to common miner pool ports"] = 21,
            ["Read sensitive file untrusted"] = 2,
        }, incident.FindingsOmitted);
        Assert.All(incident.Chain, e => Assert.True(incident.Timeline.Any(s => s.Id == e.From) && incident.Timeline.Any(s => s.Id == e.To)));

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            IncidentJson.Write(writer, incident);
        }
        using JsonDocument json = JsonDocument.Parse(buffer.WrittenMemory);
        JsonElement omitted = json.RootElement.GetProperty("vigil.incident.findings_omitted");
        Assert.Equal(21, omitted.GetProperty("Detect outbound connections to common miner pool ports").GetInt64());
        Assert.Equal(2, omitted.GetProperty("Read sensitive file untrusted").GetInt64());
    }

    [Fact]
    public void An_incident_at_the_findings_cap_is_reported_as_without_one()
    {
        (IncidentReport capped, List<Signal> findings) = Miner(repeats: 15, maxFindings: 16);
        (IncidentReport uncapped, _) = Miner(repeats: 15, maxFindings: int.MaxValue);

        Assert.Empty(capped.FindingsOmitted);
        Assert.Equal(findings.Count, capped.Timeline.Count(s => s.Kind != SignalKind.Event));
        Assert.Equal((uncapped.RootCause.Id, uncapped.Confidence, uncapped.Timeline.Count), (capped.RootCause.Id, capped.Confidence, capped.Timeline.Count));
        Assert.Equal(uncapped.Chain.Count, capped.Chain.Count);
    }

    [Fact]
    public void Confidence_rises_with_linked_findings_and_falls_with_time_between_them()
    {
        double Confidence(int findings, TimeSpan gap)
        {
            var events = new SyntheticEvents();
            var c = new Correlator(new CorrelatorOptions { Window = TimeSpan.FromHours(2) }, []);
            ProcessInfo shell = events.Process("/bin/sh");
            for (int i = 0; i < findings; i++)
            {
                c.Observe(Detect(c, $"R{i}", "WARNING", events.Exec(events.Process($"/bin/c{i}", shell), i == 0 ? default : gap)));
            }
            return c.Published.Single().Confidence;
        }
        Assert.True(Confidence(3, TimeSpan.FromSeconds(1)) > Confidence(2, TimeSpan.FromSeconds(1)));
        Assert.True(Confidence(2, TimeSpan.FromSeconds(1)) > Confidence(2, TimeSpan.FromMinutes(20)));
        Assert.InRange(Confidence(5, TimeSpan.FromSeconds(1)), 0, 1);
    }
}
