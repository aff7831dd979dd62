using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Vigil.Correlation;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Signals;
using Vigil.Events;
using Vigil.Storage;
using Vigil.Testing;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

/// <summary>`vigil events`, `ps`, `detections`, `incidents`, `incident show`, `flows` as real processes reading a real store.</summary>
public sealed class StoreQueryCommandTests
{
    private const string ContainerId = "4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e";

    [Fact]
    public void Queries_read_what_a_running_agent_stores_and_still_work_after_it_stopped()
    {
        KernelRequirement.Check();
        using var file = new TempStore();
        using var cgroup = new TestCgroup($"system.slice/docker-{ContainerId}.scope");
        string marker = Children.Marker();
        // sleep adds up its arguments: a unique fraction of a second marks this test's sleeper.
        string sleepMarker = $"0.{Random.Shared.Next(100_000_000, 999_999_999)}";
        using var agent = new CliProcess(["run", "--store", file.Path, "--rules", FalcoRulesLocation.StableRules]);
        agent.WaitUntilRunning();
        using System.Diagnostics.Process sleeper = Children.Start("/bin/sh", "-c", $"{cgroup.Enter}exec /bin/sleep 60 {sleepMarker}");
        try
        {
            // One shell searching for keys twice: two linked detections, an incident.
            Children.Run("/bin/sh", "-c", $"grep -r 'BEGIN RSA PRIVATE' /dev/null/{marker}; find /nonexistent/{marker} -name id_rsa; exit 0");
            string incidentLine = Eventually(() => Query("incidents", "--store", file.Path, "-o", "json").Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal)));
            string incidentId = JsonDocument.Parse(incidentLine).RootElement.GetProperty("vigil.incident.id").GetString()!;

            string grep = Eventually(() => Query("events", "--store", file.Path, "--type", "exec", "--proc", "grep", "--since", "10m", "-o", "json")
                .Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal)));
            Assert.Equal("/usr/bin/grep", JsonDocument.Parse(grep).RootElement.GetProperty("process.executable.path").GetString());

            string inContainer = Eventually(() => Query("events", "--store", file.Path, "--container", ContainerId[..12], "-o", "table") is var t && t.Contains(sleepMarker, StringComparison.Ordinal) ? t : null);
            Assert.Contains("process.exec", inContainer, StringComparison.Ordinal);
            Assert.Contains(ContainerId[..12], inContainer, StringComparison.Ordinal);
            Assert.DoesNotContain("grep", inContainer, StringComparison.Ordinal);

            // The sleeper hangs under this test's process, marked with its container.
            string[] tree = Query("ps", "--tree", "--store", file.Path).Split('\n');
            int sleepLine = Array.FindIndex(tree, l => l.Contains($"{sleeper.Id} sleep [container {ContainerId[..12]}] /bin/sleep 60 {sleepMarker}", StringComparison.Ordinal));
            int testLine = Array.FindIndex(tree, l => l.Contains($"{Environment.ProcessId} ", StringComparison.Ordinal));
            Assert.True(sleepLine > testLine && testLine >= 0, string.Join('\n', tree));
            Assert.True(Indent(tree[sleepLine]) > Indent(tree[testLine]), string.Join('\n', tree));

            string detections = Query("detections", "--store", file.Path, "--priority", "warning");
            Assert.Contains("Search Private Keys or Passwords", detections, StringComparison.Ordinal);

            // The whole id: the agent sees the rest of the machine too, so any shorter prefix may name several (prefixes: EdgeStoreTests).
            string shown = Query("incident", "show", incidentId, "--store", file.Path);
            Assert.Contains($"Incident {incidentId}", shown, StringComparison.Ordinal);
            Assert.Contains("root cause >", shown, StringComparison.Ordinal);
            Assert.Contains("/usr/bin/grep", shown, StringComparison.Ordinal);
            Assert.Contains("<- Sibling", shown, StringComparison.Ordinal);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
        agent.Signal(15);
        Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(20)));

        // After the agent stopped: the same answers from the file alone; the sleeper is gone from ps.
        Assert.Contains(marker, Query("events", "--store", file.Path, "--proc", "grep", "-o", "json"), StringComparison.Ordinal);
        Assert.DoesNotContain(sleepMarker, Query("ps", "--tree", "--store", file.Path), StringComparison.Ordinal);
        Assert.Contains(sleepMarker, Query("ps", "--all", "--store", file.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sequence_step_each_signal_took_is_named_by_incident_show_and_the_live_table()
    {
        KernelRequirement.Check();
        using var file = new TempStore();
        string marker = Children.Marker();
        // An untrusted program reads /etc/shadow, then sends out what it read: "credential read then call out".
        string collector = System.IO.Path.Combine(file.Directory, "collector");
        File.Copy("/usr/bin/python3", collector);
        using var drop = new TcpListener(IPAddress.Loopback, 0);
        drop.Start();
        using var agent = new CliProcess(["run", "--store", file.Path, "--rules", FalcoRulesLocation.StableRules, "-o", "table"]);
        agent.WaitUntilRunning();

        Children.Run(collector, "-c", "import socket, sys; data = open('/etc/shadow', 'rb').read(); socket.create_connection(('127.0.0.1', int(sys.argv[1]))).sendall(str(len(data)).encode())",
            ((IPEndPoint)drop.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), marker);
        string incidentLine = Eventually(() => Query("incidents", "--store", file.Path, "-o", "json").Split('\n')
            .FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal) && l.Contains("credential read then call out", StringComparison.Ordinal)),
            () => string.Join('\n', [
                "events of collector:", Query("events", "--store", file.Path, "--proc", "collector", "-o", "table"),
                "detections:", Query("detections", "--store", file.Path, "-o", "table"),
                "incidents:", Query("incidents", "--store", file.Path, "-o", "table"),
                "agent's output:", .. agent.Stdout.TakeLast(40)]));
        string incidentId = JsonDocument.Parse(incidentLine).RootElement.GetProperty("vigil.incident.id").GetString()!;
        agent.WaitForLine(l => l.Contains($"## INCIDENT {incidentId}", StringComparison.Ordinal)
            && l.Contains("root cause: credential read then call out: credential read (Read sensitive file untrusted)", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        agent.Signal(15);
        Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(20)));

        string[] shown = Query("incident", "show", incidentId, "--store", file.Path).Split('\n');
        Assert.Contains(shown, l => l.Contains("SEQUENCE STEP", StringComparison.Ordinal));
        Assert.Contains(shown, l => l.Contains("Root cause", StringComparison.Ordinal) && l.Contains("as step credential read then call out: credential read", StringComparison.Ordinal));
        string[] timeline = [.. shown.SkipWhile(l => !l.Contains("Timeline", StringComparison.Ordinal)).TakeWhile(l => !l.Contains("Causal chain", StringComparison.Ordinal))];
        Assert.Contains(timeline, l => l.Contains("Read sensitive file untrusted", StringComparison.Ordinal) && l.Contains("credential read then call out: credential read", StringComparison.Ordinal));
        Assert.Contains(timeline, l => l.Contains("network.connect", StringComparison.Ordinal) && l.Contains("credential read then call out: connects out", StringComparison.Ordinal));
    }

    [Fact]
    public void Incident_show_says_what_the_incident_caps_left_out()
    {
        using var file = new TempStore();
        var events = new SyntheticEvents { Now = DateTime.UtcNow };
        var correlator = new Correlator(new CorrelatorOptions { MaxFindingsPerIncident = 4, MaxSignalsPerIncident = 8 }, []);
        ProcessInfo miner = events.Process("/tmp/xmrig", events.Process("/bin/sh"));
        for (int i = 0; i < 10; i++)
        {
            NetworkEvent connect = events.Connect(miner, "198.51.100.7", 3333, TimeSpan.FromSeconds(5));
            correlator.Observe(SignalFactory.FromDetection(correlator.NextSignalId(), "Detect outbound connections to common miner pool ports", "CRITICAL", "pool", [], connect));
        }
        for (int i = 0; i < 10; i++)
        {
            correlator.ObserveEvent(events.File(miner, $"/proc/{i}/stat", FileIntent.Read));
        }
        correlator.CloseIdle(events.Now.AddHours(1)); // the closing revision carries the evidence
        IncidentReport incident = Assert.Single(correlator.Published);
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = file.Path }))
        {
            store.Write([incident]);
        }

        string leftOut = Assert.Single(Query("incident", "show", incident.Id, "--store", file.Path).Split('\n'), l => l.StartsWith("Left out", StringComparison.Ordinal));
        Assert.Equal("Left out    6 findings (Detect outbound connections to common miner pool ports: 6), 6 plain events", leftOut.TrimEnd());
    }

    [Fact]
    public void Flows_are_ranked_by_bytes()
    {
        using var file = new TempStore();
        var events = new SyntheticEvents { Now = DateTime.UtcNow };
        ProcessInfo curl = events.Process("/usr/bin/curl");
        ProcessInfo wget = events.Process("/usr/bin/wget");
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = file.Path }))
        {
            store.Write([Flow(events, curl, "192.0.2.1", 443, 1_000), Flow(events, wget, "192.0.2.9", 80, 900_000), Flow(events, curl, "192.0.2.1", 443, 2_000)]);
        }

        string[] top = Query("flows", "--store", file.Path, "--top", "2", "--by", "bytes", "-o", "json").Split('\n');
        Assert.Equal(["wget", "curl"], top.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("process.name").GetString()));
        JsonElement curlFlow = JsonDocument.Parse(top[1]).RootElement;
        Assert.Equal(3000, curlFlow.GetProperty("vigil.network.bytes_received").GetInt64());
        Assert.Equal("192.0.2.1", curlFlow.GetProperty("network.peer.address").GetString());
        Assert.Contains("192.0.2.9:80", Query("flows", "--store", file.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_store_a_bad_duration_and_an_unknown_incident_are_named()
    {
        var (code, _, stderr) = CliProcess.Run("events", "--store", "/nonexistent/vigil.db");
        Assert.Equal(1, code);
        Assert.Contains("vigil events: no store at /nonexistent/vigil.db", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliProcess.Run("events", "--since", "5x");
        Assert.NotEqual(0, code);
        Assert.Contains("'5x' is not a positive duration", stderr, StringComparison.Ordinal);

        using var file = new TempStore();
        EdgeStore.Open(new StoreOptions { Path = file.Path }).Dispose();
        (code, _, stderr) = CliProcess.Run("incident", "show", "inc-nope", "--store", file.Path);
        Assert.Equal(1, code);
        Assert.Contains($"no incident inc-nope in {file.Path}", stderr, StringComparison.Ordinal);
    }

    private static string Query(params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(args);
        Assert.True(code == 0, $"vigil {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout;
    }

    /// <param name="seen">Says, when the wait runs out, what the store and the agent had instead.</param>
    private static string Eventually(Func<string?> attempt, Func<string>? seen = null)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (attempt() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "the store never had what the query looked for" + (seen is null ? "" : $"; it had:\n{seen()}"));
            Thread.Sleep(200);
        }
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ', '│', '├', '└', '─').Length;

    private static NetworkEvent Flow(SyntheticEvents events, ProcessInfo p, string address, ushort port, ulong received)
    {
        NetworkEvent connect = events.Connect(p, address, port);
        return new NetworkEvent
        {
            Timestamp = connect.Timestamp,
            Process = connect.Process,
            Context = p,
            Syscall = "close",
            Protocol = TransportProtocol.Tcp,
            Direction = NetworkDirection.Outbound,
            SourceAddress = IPAddress.Loopback,
            SourcePort = 41000,
            DestinationAddress = IPAddress.Parse(address),
            DestinationPort = port,
            BytesReceived = received,
        };
    }
}
