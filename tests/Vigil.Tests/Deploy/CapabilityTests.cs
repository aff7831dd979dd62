using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Tests.Support;

namespace Vigil.Tests.Deploy;

/// <summary>
/// The capability set of deploy/ (the systemd unit's, which the Kubernetes manifests must equal) is
/// proven on the real kernel: root with only those capabilities in its bounding set runs every sensor,
/// serves the health route the probes use, sees a test-started exec and knows the binary of a process
/// that was running before it started; with CAP_NET_ADMIN or CAP_SYS_PTRACE taken away, that breaks.
/// </summary>
public sealed partial class CapabilityTests
{
    [Fact]
    public async Task With_only_the_units_capabilities_every_sensor_runs_health_answers_and_events_are_enriched()
    {
        using Run run = Start(DeployFiles.UnitCapabilities());
        Match sensors = Sensors().Match(run.Agent.Stderr);
        Assert.True(sensors.Success && sensors.Groups[1].Value == sensors.Groups[2].Value, "a sensor did not start:\n" + run.Agent.Stderr);

        using var http = new HttpClient { BaseAddress = run.Api, Timeout = TimeSpan.FromSeconds(10) };
        using HttpResponseMessage health = await http.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.True(health.IsSuccessStatusCode, $"GET /api/health: {(int)health.StatusCode}");

        JsonElement exec = run.Exec();
        // The parent is this test process, found in /proc at start: reading its image needs CAP_SYS_PTRACE.
        Assert.NotEqual("", exec.GetProperty("process.parent.executable.path").GetString());
    }

    [Fact]
    public void Without_cap_net_admin_the_network_sensor_cannot_attach_its_cgroup_hooks()
    {
        using Run run = Start(DeployFiles.UnitCapabilities().Where(c => c != "net_admin"));
        Assert.Contains("sensor network degraded", run.Agent.Stderr, StringComparison.Ordinal);
        run.Exec(); // the other sensors keep working
    }

    [Fact]
    public void Without_cap_sys_ptrace_processes_running_before_the_agent_lose_their_binaries()
    {
        using Run run = Start(DeployFiles.UnitCapabilities().Where(c => c != "sys_ptrace"));
        Assert.Equal("", run.Exec().GetProperty("process.parent.executable.path").GetString());
    }

    private static Run Start(IEnumerable<string> capabilities)
    {
        KernelRequirement.Check();
        string directory = Directory.CreateTempSubdirectory("vigil-caps-").FullName;
        var agent = new CliProcess(["run", "--store", "none", "--api-listen", "127.0.0.1:0", "--api-token-file", Path.Combine(directory, "api-token")],
            capabilities: capabilities);
        var run = new Run(agent, directory);
        try
        {
            agent.WaitUntilRunning();
            Match api = ListeningOn().Match(agent.Stderr);
            Assert.True(api.Success, "the agent did not say where its API listens:\n" + agent.Stderr);
            run.Api = new Uri(api.Groups[1].Value);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    private sealed class Run(CliProcess agent, string directory) : IDisposable
    {
        public CliProcess Agent { get; } = agent;

        public Uri? Api { get; set; }

        /// <summary>Runs /bin/true with a marker and returns the agent's exec event of it.</summary>
        public JsonElement Exec()
        {
            string marker = Children.Marker();
            Children.Run("/bin/true", marker);
            string line = Agent.WaitForLine(l => l.Contains("\"process.exec\"", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            return JsonDocument.Parse(line).RootElement.Clone();
        }

        public void Dispose()
        {
            Agent.Signal(15);
            Agent.WaitForExit(TimeSpan.FromSeconds(40));
            Agent.Dispose();
            Directory.Delete(directory, true);
        }
    }

    [GeneratedRegex(@"vigil running: (\d+)/(\d+) sensors")]
    private static partial Regex Sensors();

    [GeneratedRegex(@"api listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
