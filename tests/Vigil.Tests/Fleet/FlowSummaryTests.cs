using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>Connections reach the fleet summed per peer and port, not one message each.</summary>
public sealed class FlowSummaryTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("vigil-flow-summary-").FullName;

    [Fact]
    public async Task Many_connections_to_one_listener_become_one_summary_line_with_their_count_and_bytes()
    {
        KernelRequirement.Check();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var nats = new NatsServer();
        string cluster = "flows" + Guid.NewGuid().ToString("N")[..6];
        using var agent = new CliProcess(["run", "--nats", nats.Url, "--cluster", cluster, "--node", "node-f", "--fleet-spool", Path.Combine(_work, "spool"),
            "--api", "none", "--store", "none", "--pin-root", Path.Combine("/sys/fs/bpf", "vigil-none-" + Guid.NewGuid().ToString("N")[..8])]);
        agent.WaitUntilRunning();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        const int Connections = 20;
        Task accept = Task.Run(async () =>
        {
            for (int i = 0; i < Connections; i++)
            {
                using TcpClient client = await listener.AcceptTcpClientAsync(cancel);
                await client.GetStream().ReadExactlyAsync(new byte[5], cancel);
            }
        }, cancel);
        for (int i = 0; i < Connections; i++)
        {
            Assert.Equal(0, Children.Run("/bin/bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{port}; printf hello >&3"));
        }
        await accept;

        (long count, ulong bytes, int lines, List<string> executables) = await SummaryLines(nats, cluster, port, Connections, cancel);
        Assert.Equal(Connections, count);
        Assert.Equal(Connections * 5UL, bytes);
        Assert.InRange(lines, 1, 2); // one per 10 s window: the connections may straddle two
        Assert.Contains(executables, e => e.EndsWith("/bash", StringComparison.Ordinal));
    }

    /// <summary>The summary lines of outbound connections to the port, from the stream (summaries come every 10 s), until they count <paramref name="expected"/>.</summary>
    private static async Task<(long Count, ulong Bytes, int Lines, List<string> Executables)> SummaryLines(NatsServer nats, string cluster, int port, int expected, CancellationToken cancel)
    {
        await using var client = new NatsConnection(new NatsOpts { Url = nats.Url, ConnectTimeout = TimeSpan.FromSeconds(20) });
        var js = new NatsJSContext(client);
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(new FleetSubjects(cluster).ConclusionStream, cancellationToken: cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        long count = 0;
        ulong bytes = 0;
        var executables = new List<string>();
        await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            if (!msg.Subject.EndsWith(".flow", StringComparison.Ordinal))
            {
                continue;
            }
            using JsonDocument summary = JsonDocument.Parse(msg.Data);
            foreach (JsonElement flow in summary.RootElement.GetProperty("vigil.flows").EnumerateArray())
            {
                if (flow.TryGetProperty("destination.port", out JsonElement p) && p.GetInt32() == port
                    && flow.GetProperty("network.io.direction").GetString() == "transmit")
                {
                    count += flow.GetProperty("vigil.flow.count").GetInt64();
                    bytes += flow.GetProperty("vigil.network.bytes_sent").GetUInt64();
                    executables.Add(flow.GetProperty("process.executable.path").GetString()!);
                }
            }
            if (count >= expected)
            {
                break;
            }
        }
        return (count, bytes, executables.Count, executables);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
