using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>Agents write heartbeats to the nodes bucket; `vigil fleet status` reads them back.</summary>
public sealed class HeartbeatTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "vigil-beat-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void Fleet_status_lists_a_running_node_with_its_version_and_health_and_marks_it_stale_once_it_stops()
    {
        KernelRequirement.Check();
        using var nats = new NatsServer();
        string cluster = "beat" + Guid.NewGuid().ToString("N")[..6];
        string version = CliProcess.Run("version").Stdout.Split('\n')[0].Split(' ')[1];
        using (var agent = new CliProcess(["run", "--nats", nats.Url, "--cluster", cluster, "--node", "node-beat", "--fleet-heartbeat", "1s",
            "--fleet-spool", _work, "--pin-root", Path.Combine("/sys/fs/bpf", "vigil-none-" + Guid.NewGuid().ToString("N")[..8])]))
        {
            agent.WaitUntilRunning();
            string line = WaitForStatus(nats, cluster, l => l.StartsWith("node-beat ", StringComparison.Ordinal));
            Assert.Contains(version, line, StringComparison.Ordinal);
            Assert.Contains(" ok ", line, StringComparison.Ordinal);
            Assert.Contains("process running", line, StringComparison.Ordinal);
        }
        // Heartbeats stop with the agent: three of its intervals later the node shows as stale.
        WaitForStatus(nats, cluster, l => l.StartsWith("node-beat ", StringComparison.Ordinal) && l.Contains(" stale ", StringComparison.Ordinal));
    }

    private static string WaitForStatus(NatsServer nats, string cluster, Func<string, bool> match)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            (int code, string stdout, string stderr) = CliProcess.Run("fleet", "status", "--nats", nats.Url, "--cluster", cluster);
            Assert.True(code == 0, $"vigil fleet status exited {code}: {stderr}");
            if (stdout.Split('\n').FirstOrDefault(match) is { } line)
            {
                return line;
            }
            Assert.True(DateTime.UtcNow < deadline, "no matching node in:\n" + stdout);
            Thread.Sleep(500);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
