using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace Vigil.Fleet;

/// <summary>
/// The agent's one NATS connection (NATS.Net reconnects by itself), the JetStream and key-value
/// contexts on it, and the streams and buckets it needs, created when missing each time the
/// connection opens. Remembers which subjects the server refused for lack of publish permission.
/// </summary>
public sealed class FleetConnection : IAsyncDisposable
{
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, DateTime> _refused = new(StringComparer.Ordinal);
    private bool _streamsWarned;

    public FleetConnection(FleetOptions options, ILogger log)
    {
        Options = options;
        Names = new FleetSubjects(options.Cluster);
        _log = log;
        Nats = new NatsConnection(CreateOpts(options));
        Nats.ServerError += (_, e) =>
        {
            // "Permissions Violation for Publish to "vigil.c.n.indicator"": the publish will get no ack.
            const string Marker = "Permissions Violation for Publish to ";
            string error = e.Error;
            int at = error.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                _refused[error[(at + Marker.Length)..].Trim().Trim('"', '\'')] = DateTime.UtcNow;
            }
            _log.LogWarning("nats server: {Error}", error);
            return ValueTask.CompletedTask;
        };
        Nats.ConnectionOpened += async (_, _) =>
        {
            StreamsReady = false;
            await EnsureStreamsAsync().ConfigureAwait(false);
        };
        Nats.ConnectionDisconnected += (_, _) =>
        {
            _log.LogWarning("nats: disconnected; conclusions go to the spool until it is back");
            return ValueTask.CompletedTask;
        };
        JetStream = new NatsJSContext(Nats);
        KeyValue = new NatsKVContext(JetStream);
    }

    public FleetOptions Options { get; }

    public FleetSubjects Names { get; }

    public NatsConnection Nats { get; }

    public NatsJSContext JetStream { get; }

    public NatsKVContext KeyValue { get; }

    public bool IsOpen => Nats.ConnectionState == NatsConnectionState.Open;

    /// <summary>False until the streams and buckets are known to exist (a new JetStream cluster needs a moment to elect its leader).</summary>
    public bool StreamsReady { get; private set; }

    /// <summary>
    /// Connects, waiting at most <see cref="FleetOptions.PublishTimeout"/> (x5): when the server is
    /// unreachable, NATS.Net goes on trying in the background and the caller spools meanwhile.
    /// </summary>
    public async Task ConnectAsync()
    {
        Task connect = Nats.ConnectAsync().AsTask();
        if (await Task.WhenAny(connect, Task.Delay(5 * Options.PublishTimeout)).ConfigureAwait(false) != connect)
        {
            _log.LogWarning("nats {Url} unreachable so far; spooling until it is", Options.Url);
            return;
        }
        try
        {
            await connect.ConfigureAwait(false);
            await EnsureStreamsAsync().ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            _log.LogWarning("nats {Url} unreachable ({Reason}); spooling until it is", Options.Url, ex.Message);
        }
    }

    /// <summary>True when the server refused publishing to <paramref name="subject"/> since <paramref name="since"/>.</summary>
    public bool WasRefused(string subject, DateTime since) => _refused.TryGetValue(subject, out DateTime at) && at >= since;

    /// <summary>Streams and buckets, created when missing; failures are logged (an operator may manage them instead) and tried again by the publisher.</summary>
    public async Task EnsureStreamsAsync()
    {
        try
        {
            await EnsureStreamAsync(new StreamConfig(Names.ConclusionStream, [.. Names.ConclusionSubjects])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = Options.Replicas,
                MaxAge = TimeSpan.FromDays(7),
                DuplicateWindow = DuplicateWindow,
            }).ConfigureAwait(false);
            await EnsureStreamAsync(new StreamConfig(Names.IndicatorStream, [Names.IndicatorSubjects])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = Options.Replicas,
                MaxAge = TimeSpan.FromDays(1),
                DuplicateWindow = DuplicateWindow,
            }).ConfigureAwait(false);
            await EnsureBucketAsync(new NatsKVConfig(Names.NodesBucket) { NumberOfReplicas = Options.Replicas, History = 1 }).ConfigureAwait(false);
            await EnsureBucketAsync(new NatsKVConfig(Names.RulesBucket) { NumberOfReplicas = Options.Replicas, History = 10 }).ConfigureAwait(false);
            await EnsureBucketAsync(new NatsKVConfig(Names.PoliciesBucket) { NumberOfReplicas = Options.Replicas, History = 10 }).ConfigureAwait(false);
            StreamsReady = true;
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            // Said once; the publisher keeps trying quietly (an operator may be creating them).
            _log.Log(_streamsWarned ? LogLevel.Debug : LogLevel.Warning, "nats: could not create the fleet streams and buckets: {Reason}", ex.Message);
            _streamsWarned = true;
        }
    }

    /// <summary>
    /// Creates a stream that does not exist. One that does keeps its settings (its replicas may differ
    /// from this agent's); only subjects this version publishes and it lacks are added, since a
    /// message without a stream would wait in the spool for ever and hold back all after it.
    /// </summary>
    private async Task EnsureStreamAsync(StreamConfig config)
    {
        INatsJSStream stream;
        try
        {
            stream = await JetStream.GetStreamAsync(config.Name!).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            await JetStream.CreateStreamAsync(config).ConfigureAwait(false);
            return;
        }
        StreamConfig existing = stream.Info.Config;
        List<string> missing = [.. config.Subjects!.Except(existing.Subjects ?? [], StringComparer.Ordinal)];
        if (missing.Count > 0)
        {
            _log.LogInformation("nats: adding {Subjects} to stream {Stream}", string.Join(", ", missing), config.Name);
            await JetStream.UpdateStreamAsync(existing with { Subjects = [.. existing.Subjects ?? [], .. missing] }).ConfigureAwait(false);
        }
    }

    private async Task EnsureBucketAsync(NatsKVConfig config)
    {
        try
        {
            await KeyValue.GetStoreAsync(config.Bucket).ConfigureAwait(false);
        }
        catch (NatsException)
        {
            await KeyValue.CreateStoreAsync(config).ConfigureAwait(false);
        }
    }

    /// <summary>Long enough that a message whose ack was lost in an outage is still recognised when the spool replays it.</summary>
    public static TimeSpan DuplicateWindow => TimeSpan.FromMinutes(30);

    private static NatsOpts CreateOpts(FleetOptions o) => NatsOpts.Default with
    {
        Url = o.Url,
        Name = $"vigil-{o.Cluster}-{o.Node}",
        RetryOnInitialConnect = true,
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
        AuthOpts = NatsAuthOpts.Default with { CredsFile = o.CredentialsFile, Username = o.User, Password = o.Password },
        TlsOpts = o.TlsCaFile is null && o.TlsCertFile is null
            ? NatsTlsOpts.Default
            : NatsTlsOpts.Default with { CaFile = o.TlsCaFile, CertFile = o.TlsCertFile, KeyFile = o.TlsKeyFile, Mode = TlsMode.Require },
    };

    public async ValueTask DisposeAsync() => await Nats.DisposeAsync().ConfigureAwait(false);
}
