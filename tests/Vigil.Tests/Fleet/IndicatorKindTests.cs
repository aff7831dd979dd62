using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>
/// Binary-hash and domain indicators on a running agent: a critical detection on an exec raises a
/// hash indicator that the agent applies to itself and then kills that binary's next run (enforce
/// mode), and a domain indicator flags connections to what the domain resolves to.
/// </summary>
public sealed class IndicatorKindTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-indicator-kinds-").FullName;
    private readonly List<Process> _started = [];

    [Fact]
    public async Task A_detected_binary_is_killed_on_its_next_exec_and_connections_to_a_listed_domain_are_flagged()
    {
        KernelRequirement.Check();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var nats = new NatsServer();
        string cluster = "kinds" + Guid.NewGuid().ToString("N")[..6];
        string marker = Children.Marker();
        // A binary of the test's own: sleep with random bytes appended, so its hash is no other program's.
        string tool = Path.Combine(_work, marker + "-tool");
        File.Copy("/bin/sleep", tool);
        await File.AppendAllBytesAsync(tool, RandomNumberGenerator.GetBytes(64), cancel);
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        string hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(tool, cancel)));
        string rules = Path.Combine(_work, "critical.yaml");
        await File.WriteAllTextAsync(rules, $"""
            - rule: Test critical exec
              desc: the test's binary run with its marker
              condition: evt.type = execve and proc.cmdline contains "{marker}-bad"
              output: "critical exec %proc.cmdline"
              priority: CRITICAL
            """, cancel);
        using var agent = new CliProcess(["run", "--nats", nats.Url, "--cluster", cluster, "--node", "node-k", "--fleet-spool", Path.Combine(_work, "spool"),
            "--fleet-indicators", "enforce", "--rules", rules, "--api", "none", "--store", "none",
            "--pin-root", Path.Combine("/sys/fs/bpf", "vigil-none-" + Guid.NewGuid().ToString("N")[..8])]);
        agent.WaitUntilRunning();

        // The first run is only detected; the detection becomes a fleet indicator the agent applies to itself.
        Assert.Equal(1, Children.Run(tool, marker + "-bad"));
        agent.WaitForLine(l => l.Contains("\"fleet.indicator\"", StringComparison.Ordinal) && l.Contains(hash, StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        Process victim = Start(tool, "30");
        Assert.True(victim.WaitForExit(TimeSpan.FromSeconds(15)), "the listed binary was not killed");
        Assert.Equal(128 + 9, victim.ExitCode);
        string killed = agent.WaitForLine(l => l.Contains("Fleet indicator: binary", StringComparison.Ordinal) && l.Contains($"pid {victim.Id})", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("killed", killed, StringComparison.Ordinal);
        Assert.Equal(0, Children.Run("/bin/sleep", "0.5")); // another binary runs on

        // A domain: resolved by the agent when it applies the indicator (localhost needs no DNS server).
        await PublishAsync(nats, cluster, new ThreatIndicator
        {
            Id = $"tester.{marker}",
            Kind = IndicatorKinds.Domain,
            Value = "localhost",
            Origin = "tester",
            Reason = "test",
            Issued = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(10),
        }, cancel);
        agent.WaitForLine(l => l.Contains("\"fleet.indicator\"", StringComparison.Ordinal) && l.Contains($"tester.{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        using var other = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        using var listed = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        listed.Start();
        int otherPort = ((IPEndPoint)other.LocalEndpoint).Port;
        int listedPort = ((IPEndPoint)listed.LocalEndpoint).Port;
        Assert.Equal(0, Children.Run("/bin/bash", "-c", $"exec 3<>/dev/tcp/127.0.0.2/{otherPort}"));
        Assert.Equal(0, Children.Run("/bin/bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{listedPort}"));
        agent.WaitForLine(l => l.Contains("Fleet indicator: domain", StringComparison.Ordinal) && l.Contains($"127.0.0.1:{listedPort},", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(agent.Stdout, l => l.Contains("Fleet indicator: domain", StringComparison.Ordinal) && l.Contains($"127.0.0.2:{otherPort},", StringComparison.Ordinal));
    }

    private Process Start(string file, params string[] args)
    {
        Process p = Children.Start(file, args);
        _started.Add(p);
        return p;
    }

    private static async Task PublishAsync(NatsServer nats, string cluster, ThreatIndicator indicator, CancellationToken cancel)
    {
        await using var client = new NatsConnection(new NatsOpts { Url = nats.Url, ConnectTimeout = TimeSpan.FromSeconds(20) });
        var js = new NatsJSContext(client);
        PubAckResponse ack = await js.PublishAsync(new FleetSubjects(cluster).Subject(indicator.Origin, FleetTopic.Indicator),
            JsonSerializer.SerializeToUtf8Bytes(indicator), cancellationToken: cancel);
        ack.EnsureSuccess();
    }

    public void Dispose()
    {
        foreach (Process p in _started)
        {
            if (!p.HasExited)
            {
                p.Kill();
            }
            p.Dispose();
        }
        Directory.Delete(_work, recursive: true);
    }
}
