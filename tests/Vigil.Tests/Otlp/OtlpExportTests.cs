using System.Text.Json;
using OpenTelemetry.Exporter;
using Vigil.Agent.Otlp;
using Vigil.Agent.Output;
using Vigil.Agent.Pipeline;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Signals;
using Vigil.Detection.Rules;
using Vigil.Events;
using Vigil.Testing;
using Vigil.Tests.Otlp.Proto;
using Vigil.Tests.Support;

namespace Vigil.Tests.Otlp;

/// <summary>
/// The agent exports over OTLP to a real receiver on loopback: a detection fired by real behaviour
/// arrives as a log record with the JSON output's attribute names, severity from the rule's priority
/// and the rule's output as body; the agent's metrics arrive as OTLP sums and gauges.
/// </summary>
public sealed class OtlpExportTests
{
    private const string Rule = "Read sensitive file untrusted";

    [Theory]
    [InlineData("grpc")]
    [InlineData("http")]
    public async Task A_real_detection_and_the_agents_metrics_reach_an_otlp_receiver(string protocol)
    {
        KernelRequirement.Check();
        await using var receiver = new OtlpReceiver();
        using var agent = new CliProcess(["run", "--rules", FalcoRulesLocation.StableRules, "--api", "none", "--store", "none",
            "--otlp-endpoint", receiver.Endpoint(protocol).ToString(), "--otlp-protocol", protocol, "--otlp-interval", "1s"]);
        string marker = Children.Marker();
        string dir = Directory.CreateDirectory(Path.Combine("/tmp", marker)).FullName;
        try
        {
            agent.WaitUntilRunning();
            // A cat of the test's own: its path carries the marker into the detection.
            string cat = Path.Combine(dir, "cat");
            File.Copy("/bin/cat", cat);
            Assert.Equal(0, Children.Run("/bin/sh", "-c", $"chmod +x {cat}; {cat} /etc/shadow > /dev/null"));
            using JsonDocument stdout = JsonDocument.Parse(agent.WaitForLine(
                l => l.Contains("\"event.name\":\"detection\"", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(15)));
            JsonElement detection = stdout.RootElement;
            JsonElement e = detection.GetProperty("vigil.event");

            ReceivedLog log = receiver.WaitForLog(l => Text(l.Attributes, "rule.name") == Rule && Text(l.Attributes, "process.executable.path") == cat, TimeSpan.FromSeconds(20));
            Assert.Equal(protocol, log.Transport);
            Assert.Equal("vigil", Text(log.Resource, "service.name"));
            // The rule's WARNING priority, its output as the body, the event's time as the record's.
            Assert.Equal(13, log.Record.SeverityNumber); // SEVERITY_NUMBER_WARN
            Assert.Equal("WARNING", Text(log.Attributes, "vigil.rule.priority"));
            Assert.Equal(detection.GetProperty("vigil.rule.output").GetString(), log.Record.Body.StringValue);
            Assert.Contains("/etc/shadow", log.Record.Body.StringValue, StringComparison.Ordinal);
            Assert.Equal(Nanoseconds(detection.GetProperty("time").GetDateTime()), log.Record.TimeUnixNano);
            // The triggering event's semantic-convention attributes, the same names and values as the JSON output.
            Assert.Equal("detection", Text(log.Attributes, "event.name"));
            Assert.Equal(e.GetProperty("event.name").GetString(), Text(log.Attributes, "vigil.event.name"));
            Assert.Equal("/etc/shadow", Text(log.Attributes, "file.path"));
            Assert.Equal("cat", Text(log.Attributes, "process.name"));
            Assert.Equal(e.GetProperty("process.pid").GetInt64(), log.Attributes["process.pid"].IntValue);
            Assert.Equal(e.GetProperty("process.parent.pid").GetInt64(), log.Attributes["process.parent.pid"].IntValue);
            Assert.Equal(0, log.Attributes["user.id"].IntValue);
            Assert.Equal(e.GetProperty("container.id").GetString(), Text(log.Attributes, "container.id"));
            Assert.Equal(e.GetProperty("vigil.exec_id").GetString(), Text(log.Attributes, "vigil.exec_id"));
            Assert.Equal("/etc/shadow", Text(log.Attributes, "vigil.rule.fields.fd.name"));
            Assert.Contains(log.Attributes["vigil.rule.tags"].ArrayValue.Values, v => v.StringValue == "filesystem");

            // Metrics: the detection counted by priority, and this test's exec counted by sensor and type.
            ReceivedMetric detections = receiver.WaitForMetric(m => m.Name == "vigil_detections" && Text(m.Attributes, "priority") == "warning" && m.Value >= 1, TimeSpan.FromSeconds(20));
            Assert.True(detections.IsSum);
            Assert.Equal(protocol, detections.Transport);
            receiver.WaitForMetric(m => m.Name == "vigil_events" && Text(m.Attributes, "sensor") == "process" && Text(m.Attributes, "type") == "process.exec" && m.Value >= 1, TimeSpan.FromSeconds(20));
            ReceivedMetric queue = receiver.WaitForMetric(m => m.Name == "vigil_sink_queue_capacity" && Text(m.Attributes, "sink") == "otlp", TimeSpan.FromSeconds(20));
            Assert.Equal(new OtlpOptions { Endpoint = receiver.GrpcEndpoint }.QueueCapacity, queue.Value);
        }
        finally
        {
            agent.Signal(15);
            agent.WaitForExit(TimeSpan.FromSeconds(40));
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData("http")]
    public async Task A_dead_collector_costs_only_the_otlp_sinks_own_counted_drops(string protocol)
    {
        // A port nothing listens on: every export fails, at once (connection refused).
        await using var dead = new OtlpReceiver();
        Uri endpoint = dead.Endpoint(protocol);
        await dead.DisposeAsync();
        var synthetic = new SyntheticEvents();
        ProcessExecEvent exec = synthetic.Exec(synthetic.Process("/bin/sh"));
        const int total = 20_000;
        var text = new StringWriter();
        var otlp = new OtlpSink(new OtlpOptions
        {
            Endpoint = endpoint, Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf, QueueCapacity = 1000, Timeout = TimeSpan.FromSeconds(1),
        });
        var output = new RecordOutput(new JsonLinesFormatter(), text, total);
        await using (otlp)
        {
            await using (output)
            {
                var fanout = new ConclusionFanout([otlp, output]);
                for (int i = 0; i < total; i++)
                {
                    fanout.Detection(new RuleDetection("Terminal shell", RulePriority.Notice, [], "a shell " + i, [], exec, i));
                }
                // The collector never answered, yet every record was handed on without waiting for it.
                Assert.InRange(otlp.Dropped, total - 1000 - 2 * 512, total);
            }
        }
        Assert.Equal(total, text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // What the queue took and the collector refused is counted too: no record is lost uncounted.
        Assert.True(otlp.Failed > 0, "no refused export was counted");
        Assert.Equal(total, otlp.Dropped + otlp.Failed);
    }

    [Fact]
    public async Task Incidents_and_with_otlp_events_every_event_arrive_with_their_attributes()
    {
        await using var receiver = new OtlpReceiver();
        var synthetic = new SyntheticEvents();
        ProcessInfo shell = synthetic.Process("/bin/sh");
        ProcessExecEvent exec = synthetic.Exec(shell);
        Signal root = new() { Id = 1, Time = synthetic.Now, Kind = SignalKind.Detection, Name = "Terminal shell", Prior = 0.5, Entities = new Entities { Binary = "/bin/sh" } };
        var incident = new IncidentReport
        {
            Id = "inc-7", Revision = 2, Status = IncidentStatus.Open, Title = "Shell spawned a miner", FirstSeen = synthetic.Now, LastSeen = synthetic.Now.AddSeconds(3),
            Confidence = 0.75, RootCause = root, Chain = [], Timeline = [root], Missing = [],
        };
        var otlp = new OtlpSink(new OtlpOptions { Endpoint = receiver.GrpcEndpoint, Events = true });
        await using (otlp)
        {
            otlp.Event(exec);
            otlp.Incident(incident);
        }
        Assert.Equal(0, otlp.Failed);

        ReceivedLog e = receiver.WaitForLog(l => Text(l.Attributes, "event.name") == "process.exec", TimeSpan.FromSeconds(10));
        Assert.Equal(9, e.Record.SeverityNumber); // SEVERITY_NUMBER_INFO
        Assert.Equal("process.exec", e.Record.Body.StringValue);
        Assert.Equal("/bin/sh", Text(e.Attributes, "process.executable.path"));
        Assert.Equal(shell.Pid, e.Attributes["process.pid"].IntValue);
        Assert.Equal(exec.Args, e.Attributes["process.command_args"].ArrayValue.Values.Select(v => v.StringValue));
        Assert.Equal(Nanoseconds(exec.Timestamp), e.Record.TimeUnixNano);

        ReceivedLog i = receiver.WaitForLog(l => Text(l.Attributes, "event.name") == "incident", TimeSpan.FromSeconds(10));
        Assert.Equal(17, i.Record.SeverityNumber); // SEVERITY_NUMBER_ERROR
        Assert.Equal("Shell spawned a miner", i.Record.Body.StringValue);
        Assert.Equal("inc-7", Text(i.Attributes, "vigil.incident.id"));
        Assert.Equal(2, i.Attributes["vigil.incident.revision"].IntValue);
        Assert.Equal(0.75, i.Attributes["vigil.incident.confidence"].DoubleValue);
        Assert.Equal("/bin/sh", Text(i.Attributes, "vigil.incident.root_cause.process.executable.path"));
        Assert.Equal(Nanoseconds(incident.LastSeen), i.Record.TimeUnixNano);
    }

    private static string? Text(Dictionary<string, AnyValue> attributes, string key) =>
        attributes.TryGetValue(key, out AnyValue? value) ? value.StringValue : null;

    private static ulong Nanoseconds(DateTime time) =>
        (ulong)(time.ToUniversalTime() - DateTime.UnixEpoch).Ticks * 100;
}
