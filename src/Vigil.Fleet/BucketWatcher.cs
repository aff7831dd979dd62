using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Prometheus;

namespace Vigil.Fleet;

/// <summary>
/// Watches a bucket of files the fleet distributes (the rules bucket: key a rule file name; the
/// policies bucket: key a policy name; value the file's text). Whenever the agent has caught up with
/// the bucket, the whole set of files is handed to <c>apply</c>, which validates it as it validates
/// local files and swaps it in, or returns its errors; a rejected revision changes nothing. Each
/// outcome is logged, counted and published on this node's subject of the bucket's topic.
/// </summary>
public sealed class BucketWatcher : IAsyncDisposable
{
    private readonly FleetConnection _connection;
    private readonly FleetPublisher _publisher;
    private readonly string _bucket;
    private readonly FleetTopic _topic;
    private readonly Counter _revisions;
    private readonly Func<IReadOnlyDictionary<string, string>, IReadOnlyList<string>> _apply;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _watch;
    private ulong _inForce;
    private ulong _rejected;

    /// <param name="topic">Where outcomes are reported, and what the log calls the files (rules, policies).</param>
    /// <param name="apply">Validates and swaps in the files; returns the errors of a rejected revision (empty when accepted).</param>
    public BucketWatcher(FleetConnection connection, FleetPublisher publisher, string bucket, FleetTopic topic, Counter revisions,
        Func<IReadOnlyDictionary<string, string>, IReadOnlyList<string>> apply, ILogger log)
    {
        _connection = connection;
        _publisher = publisher;
        _bucket = bucket;
        _topic = topic;
        _revisions = revisions;
        _apply = apply;
        _log = log;
    }

    /// <summary>The bucket revision whose files are in force; 0 before any.</summary>
    public ulong InForce => Interlocked.Read(ref _inForce);

    /// <summary>The latest revision rejected, 0 when none was (or a later one was accepted).</summary>
    public ulong Rejected => Interlocked.Read(ref _rejected);

    public void Start() => _watch ??= Task.Run(WatchLoop);

    private async Task WatchLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                INatsKVStore bucket = await _connection.KeyValue.GetStoreAsync(_bucket, _stop.Token).ConfigureAwait(false);
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
                _log.LogDebug("fleet {Topic}: {Reason}; watching again", FleetSubjects.Token(_topic), ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyAsync(IReadOnlyDictionary<string, string> files, ulong revision)
    {
        IReadOnlyList<string> errors = _apply(files);
        string outcome = errors.Count == 0 ? "accepted" : "rejected";
        _revisions.WithLabels(outcome).Inc();
        string topic = FleetSubjects.Token(_topic);
        if (errors.Count == 0)
        {
            Interlocked.Exchange(ref _inForce, revision);
            Interlocked.Exchange(ref _rejected, 0);
            _log.LogInformation("fleet {Topic}: revision {Revision} in force ({Files} files)", topic, revision, files.Count);
        }
        else
        {
            Interlocked.Exchange(ref _rejected, revision);
            _log.LogError("fleet {Topic}: revision {Revision} rejected, revision {InForce} stays in force: {Errors}", topic, revision, InForce, string.Join("; ", errors));
        }
        string node = _connection.Options.Node;
        var report = new RevisionReport { Node = node, Revision = revision, Outcome = outcome, Errors = errors, InForce = InForce, At = DateTime.UtcNow };
        await _publisher.PublishAsync(new FleetMessage(_connection.Names.Subject(node, _topic), $"{node}.{topic}.{revision}",
            JsonSerializer.SerializeToUtf8Bytes(report, FleetJson.Default.RevisionReport))).ConfigureAwait(false);
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
