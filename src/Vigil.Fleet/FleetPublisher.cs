using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Vigil.Fleet;

/// <summary>
/// Publishes to JetStream, each message with its id (Nats-Msg-Id), awaiting the acknowledgement.
/// While NATS is unreachable, or while older messages still wait in the spool, messages go to the
/// spool, so order holds; a background loop replays the spool, oldest first, once NATS is back.
/// A message the server refuses (no publish permission) is counted and dropped, never retried.
/// </summary>
public sealed class FleetPublisher : IAsyncDisposable
{
    private readonly FleetConnection _connection;
    private readonly Spool _spool;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _replay;
    private long _published;
    private long _spooled;
    private long _overflow;
    private long _refused;

    public FleetPublisher(FleetConnection connection, ILogger log)
    {
        _connection = connection;
        _log = log;
        FleetOptions o = connection.Options;
        _spool = new Spool(o.SpoolDirectory, o.SpoolBytes, o.SpoolSegmentBytes);
        if (!_spool.IsEmpty)
        {
            _log.LogInformation("fleet spool: {Count} messages from an earlier run wait for NATS", _spool.Count);
        }
        FleetMetrics.SpoolDepth.Set(_spool.Count);
        _replay = Task.Run(ReplayLoop);
    }

    public long Published => Interlocked.Read(ref _published);

    public long Spooled => Interlocked.Read(ref _spooled);

    /// <summary>Messages lost because the spool was full.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    public long Refused => Interlocked.Read(ref _refused);

    public int SpoolDepth => _spool.Count;

    /// <summary>Publishes in order, or spools what cannot go now.</summary>
    public async ValueTask PublishAsync(IReadOnlyList<FleetMessage> messages)
    {
        bool spooled = false;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            int i = 0;
            if (_spool.IsEmpty)
            {
                while (i < messages.Count && await TrySendAsync(messages[i]).ConfigureAwait(false))
                {
                    i++;
                }
            }
            for (; i < messages.Count; i++)
            {
                spooled = true;
                if (_spool.TryAppend(messages[i]))
                {
                    Interlocked.Increment(ref _spooled);
                    FleetMetrics.Spooled.Inc();
                }
                else if (Interlocked.Increment(ref _overflow) is var lost && (lost & (lost - 1)) == 0)
                {
                    _log.LogError("fleet spool full ({Bytes} bytes): {Lost} messages lost so far", _spool.Bytes, lost);
                }
            }
            FleetMetrics.SpoolDepth.Set(_spool.Count);
        }
        finally
        {
            _gate.Release();
        }
        if (spooled)
        {
            _wake.Release();
        }
    }

    public ValueTask PublishAsync(FleetMessage message) => PublishAsync([message]);

    /// <summary>True when sent (or refused for good, which is counted); false when it should wait in the spool.</summary>
    private async ValueTask<bool> TrySendAsync(FleetMessage message)
    {
        if (!_connection.IsOpen)
        {
            return false;
        }
        DateTime started = DateTime.UtcNow;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_connection.Options.PublishTimeout);
        try
        {
            PubAckResponse ack = await _connection.JetStream.PublishAsync(message.Subject, message.Payload,
                opts: new NatsJSPubOpts { MsgId = message.MessageId }, cancellationToken: timeout.Token).ConfigureAwait(false);
            ack.EnsureSuccess();
            Interlocked.Increment(ref _published);
            FleetMetrics.Published.WithLabels(Topic(message.Subject)).Inc();
            return true;
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException && !_stop.IsCancellationRequested)
        {
            if (_connection.WasRefused(message.Subject, started))
            {
                Interlocked.Increment(ref _refused);
                FleetMetrics.Refused.Inc();
                _log.LogError("fleet: the server refused {Subject} (no publish permission); message {Id} dropped", message.Subject, message.MessageId);
                return true;
            }
            _log.LogDebug("fleet: publish of {Id} failed ({Reason}); spooling", message.MessageId, ex.Message);
            return false;
        }
    }

    private async Task ReplayLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(500), _stop.Token).ConfigureAwait(false);
                if (_connection.IsOpen && !_connection.StreamsReady)
                {
                    await _connection.EnsureStreamsAsync().ConfigureAwait(false);
                }
                await ReplayAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (IOException ex)
            {
                _log.LogError("fleet spool: {Reason}", ex.Message);
            }
        }
    }

    /// <summary>Sends spooled messages oldest first until the spool is empty or NATS fails again.</summary>
    private async Task ReplayAsync()
    {
        if (_spool.IsEmpty || !_connection.IsOpen)
        {
            return;
        }
        await _gate.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            int sent = 0;
            while (_spool.TryPeek(out FleetMessage message, out long next) && await TrySendAsync(message).ConfigureAwait(false))
            {
                _spool.Advance(next);
                sent++;
            }
            FleetMetrics.SpoolDepth.Set(_spool.Count);
            if (sent > 0)
            {
                _log.LogInformation("fleet spool: replayed {Sent} messages, {Left} left", sent, _spool.Count);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Topic(string subject) => subject[(subject.LastIndexOf('.') + 1)..];

    /// <summary>Stops replaying; what is still spooled stays on disk for the next run.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _replay.ConfigureAwait(false);
        _spool.Dispose();
        _stop.Dispose();
        _gate.Dispose();
        _wake.Dispose();
    }
}
