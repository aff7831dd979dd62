using System.Globalization;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Vigil.Fleet;

namespace Vigil.Bench.Fleet;

/// <summary>
/// Data reduction of one node (bench/README.md defines it): the bytes of every event the node's
/// sensors delivered, serialized as `vigil run` prints them, against the bytes the node's NATS
/// connection sent to the server (nats-server's own count: conclusions, heartbeats, aggregates,
/// JetStream API requests and protocol included). Also checks that every incident the node
/// concluded is in the fleet's stream.
/// </summary>
public static class Reduction
{
    public static async Task<int> RunAsync(string natsUrl, string monitorUrl, string cluster, string node, string agentOutput)
    {
        long rawBytes = 0, rawEvents = 0;
        var concluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(agentOutput))
        {
            string? name = EventName(line, out string? incident);
            if (name is "incident")
            {
                concluded.Add(incident!);
            }
            else if (name is not (null or "detection"))
            {
                rawBytes += Encoding.UTF8.GetByteCount(line) + 1;
                rawEvents++;
            }
        }

        long fleetBytes = await ConnectionBytesAsync(monitorUrl, $"vigil-{cluster}-{node}").ConfigureAwait(false);
        (HashSet<string> delivered, Dictionary<string, long> byTopic) = await StreamAsync(natsUrl, cluster, node).ConfigureAwait(false);
        int reached = concluded.Count(delivered.Contains);
        double reduction = fleetBytes == 0 ? double.NaN : (double)rawBytes / fleetBytes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reduction={reduction:0.0} raw_bytes={rawBytes} raw_events={rawEvents} fleet_bytes={fleetBytes} incidents_delivered={reached}/{concluded.Count} stream_bytes={string.Join(",", byTopic.OrderBy(t => t.Key).Select(t => $"{t.Key}:{t.Value}"))}"));
        return reached == concluded.Count ? 0 : 1;
    }

    /// <summary>The event.name of one line of `vigil run -o json`, and the incident id of an incident.</summary>
    private static string? EventName(string line, out string? incident)
    {
        incident = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            string? name = doc.RootElement.TryGetProperty("event.name", out JsonElement n) ? n.GetString() : null;
            if (name == "incident")
            {
                incident = doc.RootElement.GetProperty("vigil.incident.id").GetString();
            }
            return name;
        }
        catch (JsonException)
        {
            return null; // a line cut short when the agent stopped
        }
    }

    /// <summary>Bytes nats-server received on every connection (open or closed) of this name.</summary>
    private static async Task<long> ConnectionBytesAsync(string monitorUrl, string connectionName)
    {
        using var http = new HttpClient();
        using JsonDocument connz = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{monitorUrl}/connz?state=all&limit=100000")).ConfigureAwait(false));
        return connz.RootElement.GetProperty("connections").EnumerateArray()
            .Where(c => c.TryGetProperty("name", out JsonElement n) && n.GetString() == connectionName)
            .Sum(c => c.GetProperty("in_bytes").GetInt64());
    }

    /// <summary>The incident ids in the cluster's conclusions stream from this node, and the payload bytes per topic.</summary>
    private static async Task<(HashSet<string>, Dictionary<string, long>)> StreamAsync(string natsUrl, string cluster, string node)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = natsUrl });
        var js = new NatsJSContext(nats);
        var names = new FleetSubjects(cluster);
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(names.ConclusionStream).ConfigureAwait(false);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: idle.Token).ConfigureAwait(false))
            {
                if (names.NodeOf(msg.Subject) != node)
                {
                    continue;
                }
                string topic = msg.Subject[(msg.Subject.LastIndexOf('.') + 1)..];
                bytes[topic] = bytes.GetValueOrDefault(topic) + (msg.Data?.Length ?? 0);
                if (topic == FleetSubjects.Token(FleetTopic.Incident))
                {
                    using JsonDocument doc = JsonDocument.Parse(msg.Data);
                    ids.Add(doc.RootElement.GetProperty("vigil.incident.id").GetString()!);
                }
                if (msg.Metadata?.NumPending == 0)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stream held fewer messages than announced: what was read counts.
        }
        return (ids, bytes);
    }
}
