using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>The publisher and its spool against a real nats-server that goes away and comes back.</summary>
public sealed class FleetPublisherTests : IDisposable
{
    private readonly string _spool = Path.Combine(Path.GetTempPath(), "vigil-spool-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Messages_published_during_an_outage_arrive_exactly_once_and_in_order_after_the_server_returns()
    {
        using var server = new NatsServer();
        FleetOptions options = Options(server);
        await using var connection = new FleetConnection(options, NullLogger.Instance);
        await connection.ConnectAsync();
        await using var publisher = new FleetPublisher(connection, NullLogger.Instance);

        await publisher.PublishAsync(Messages(options, 0, 50));
        Assert.Equal(50, publisher.Published);

        server.Stop();
        await WaitUntil(() => !connection.IsOpen, "the client to notice the outage");
        await publisher.PublishAsync(Messages(options, 50, 100));
        for (int i = 150; i < 200; i++)
        {
            await publisher.PublishAsync(Messages(options, i, 1)); // one at a time too, as a sink drains
        }
        Assert.Equal(150, publisher.Spooled);
        Assert.Equal(150, publisher.SpoolDepth);
        Assert.NotEmpty(Directory.GetFiles(_spool, "*.seg"));

        server.Start();
        await WaitUntil(() => publisher.SpoolDepth == 0, "the spool to be replayed");
        await publisher.PublishAsync(Messages(options, 200, 20));

        List<string> ids = await ReadIds(server, options, expected: 220);
        Assert.Equal(Enumerable.Range(0, 220).Select(Id), ids);
        Assert.Equal(0, publisher.Overflow);
        Assert.Empty(Directory.GetFiles(_spool, "*.seg"));
    }

    [Fact]
    public async Task A_full_spool_counts_what_it_could_not_keep_and_delivers_the_rest()
    {
        using var server = new NatsServer();
        FleetOptions options = Options(server) with { SpoolBytes = 8192, SpoolSegmentBytes = 4096 };
        await using var connection = new FleetConnection(options, NullLogger.Instance);
        await connection.ConnectAsync();
        await using var publisher = new FleetPublisher(connection, NullLogger.Instance);

        server.Stop();
        await WaitUntil(() => !connection.IsOpen, "the client to notice the outage");
        await publisher.PublishAsync(Messages(options, 0, 200)); // ~100 bytes each: about 80 fit
        Assert.True(publisher.Overflow > 0, "nothing overflowed");
        Assert.Equal(200, publisher.Spooled + publisher.Overflow);

        server.Start();
        await WaitUntil(() => publisher.SpoolDepth == 0, "the spool to be replayed");
        List<string> ids = await ReadIds(server, options, expected: (int)publisher.Spooled);
        Assert.Equal(Enumerable.Range(0, (int)publisher.Spooled).Select(Id), ids);
    }

    [Fact]
    public async Task A_spool_left_by_an_earlier_run_is_replayed_by_the_next_one_without_duplicates()
    {
        using var server = new NatsServer();
        FleetOptions options = Options(server);
        await using (var connection = new FleetConnection(options, NullLogger.Instance))
        {
            await connection.ConnectAsync();
            await using var publisher = new FleetPublisher(connection, NullLogger.Instance);
            await publisher.PublishAsync(Messages(options, 0, 10));
            server.Stop();
            await WaitUntil(() => !connection.IsOpen, "the client to notice the outage");
            await publisher.PublishAsync(Messages(options, 10, 30));
            Assert.Equal(30, publisher.SpoolDepth);
        }

        server.Start();
        await using (var connection = new FleetConnection(options, NullLogger.Instance))
        {
            await connection.ConnectAsync();
            await using var publisher = new FleetPublisher(connection, NullLogger.Instance);
            Assert.Equal(30, publisher.SpoolDepth);
            await WaitUntil(() => publisher.SpoolDepth == 0, "the spool to be replayed");
            // The same messages again (a replay after a crash before the spool was trimmed): de-duplicated by id.
            await publisher.PublishAsync(Messages(options, 10, 30));
        }
        List<string> ids = await ReadIds(server, options, expected: 40);
        Assert.Equal(Enumerable.Range(0, 40).Select(Id), ids);
    }

    private FleetOptions Options(NatsServer server) => new()
    {
        Url = server.Url,
        Cluster = "t" + Guid.NewGuid().ToString("N")[..6],
        Node = "node-a",
        SpoolDirectory = _spool,
        PublishTimeout = TimeSpan.FromSeconds(1),
    };

    private static string Id(int i) => "m" + i.ToString(CultureInfo.InvariantCulture);

    private static List<FleetMessage> Messages(FleetOptions options, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new FleetMessage(
            new FleetSubjects(options.Cluster).Subject(options.Node, FleetTopic.Detection),
            Id(i),
            Encoding.UTF8.GetBytes($$"""{"n":{{i}},"pad":"{{new string('x', 40)}}"}""")))];

    /// <summary>Every message id in the conclusions stream, in stream order, after checking the stream holds exactly <paramref name="expected"/>.</summary>
    private static async Task<List<string>> ReadIds(NatsServer server, FleetOptions options, int expected)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(nats);
        INatsJSStream stream = await js.GetStreamAsync(new FleetSubjects(options.Cluster).ConclusionStream);
        Assert.Equal(expected, stream.Info.State.Messages);
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(stream.Info.Config.Name!);
        var ids = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            ids.Add(msg.Headers?["Nats-Msg-Id"].ToString() ?? "");
            if (ids.Count == expected)
            {
                break;
            }
        }
        return ids;
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }
}
