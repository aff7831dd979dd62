using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;

namespace Vigil.Fleet;

/// <summary>
/// Watches the rules bucket (key: a rule file name, value: the file's text). Whenever the agent has
/// caught up with the bucket, the whole set of files is handed to <c>apply</c>, which validates it
/// as it validates local files and swaps it in, or returns its errors; a rejected revision changes
/// nothing. Each outcome is logged and published on this node's <see cref="FleetTopic.Rules"/> subject.
/// </summary>
public sealed class RuleBucketWatcher : IAsyncDisposable
{
    private readonly FleetConnection _connection;
    private readonly FleetPublisher _publisher;
    private readonly Func<IReadOnlyDictionary<string, string>, IReadOnlyList<string>> _apply;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _watch;
    private ulong _inForce;

    /// <param name="apply">Validates and swaps in the files; returns the errors of a rejected revision (empty when accepted).</param>
    public RuleBucketWatcher(FleetConnection connection, FleetPublisher publisher, Func<IReadOnlyDictionary<string, string>, IReadOnlyList<string>> apply, ILogger log)
    {
        _connection = connection;
        _publisher = publisher;
        _apply = apply;
        _log = log;
    }

    /// <summary>The bucket revision whose rules are in force; 0 before any.</summary>
    public ulong InForce => Interlocked.Read(ref _inForce);

    public void Start() => _watch ??= Task.Run(WatchLoop);

    private async Task WatchLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                INatsKVStore bucket = await _connection.KeyValue.GetStoreAsync(_connection.Names.RulesBucket, _stop.Token).ConfigureAwait(false);
                await foreach (NatsKVEntry<byte[]> entry in bucket.WatchAsync<byte[]>(cancellationToken: _stop.Token).ConfigureAwait(false))
                {
                    if (entry.Operation == NatsKVOperation.Put && entry.Value is not null)
                    {
                        files[entry.Key] = Encoding.UTF8.GetString(entry.Value);
                    }
                    else
                    {
                        files.Remove(entry.Key);
                    }
                    if (entry.Delta == 0 && entry.Revision > InForce)
                    {
                        await ApplyAsync(files, entry.Revision).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException)
            {
                _log.LogDebug("fleet rules: {Reason}; watching again", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyAsync(IReadOnlyDictionary<string, string> files, ulong revision)
    {
        IReadOnlyList<string> errors = _apply(files);
        string outcome = errors.Count == 0 ? "accepted" : "rejected";
        FleetMetrics.RuleRevisions.WithLabels(outcome).Inc();
        if (errors.Count == 0)
        {
            Interlocked.Exchange(ref _inForce, revision);
            _log.LogInformation("fleet rules: revision {Revision} in force ({Files} files)", revision, files.Count);
        }
        else
        {
            _log.LogError("fleet rules: revision {Revision} rejected, revision {InForce} stays in force: {Errors}", revision, InForce, string.Join("; ", errors));
        }
        string node = _connection.Options.Node;
        var report = new RuleRevisionReport { Node = node, Revision = revision, Outcome = outcome, Errors = errors, InForce = InForce, At = DateTime.UtcNow };
        await _publisher.PublishAsync(new FleetMessage(_connection.Names.Subject(node, FleetTopic.Rules), $"{node}.rules.{revision}",
            JsonSerializer.SerializeToUtf8Bytes(report, FleetJson.Default.RuleRevisionReport))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
