using System.Text.Json;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Vigil.Fleet;

/// <summary>
/// Consumes the indicators stream from its start (so a node that joins late still applies what has
/// not expired), applies each indicator (its own ones too) through <c>apply</c>, and reports the
/// outcome on its own <see cref="FleetTopic.Applied"/> subject. Indicators whose origin differs from
/// the node in their subject, expired ones and malformed ones are ignored and counted.
/// </summary>
public sealed class IndicatorFeed : IAsyncDisposable
{
    private readonly FleetConnection _connection;
    private readonly FleetPublisher _publisher;
    private readonly Func<ThreatIndicator, IndicatorOutcome> _apply;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private Task? _consume;
    private long _applied;
    private long _ignored;

    public IndicatorFeed(FleetConnection connection, FleetPublisher publisher, Func<ThreatIndicator, IndicatorOutcome> apply, ILogger log)
    {
        _connection = connection;
        _publisher = publisher;
        _apply = apply;
        _log = log;
    }

    public long Applied => Interlocked.Read(ref _applied);

    public long Ignored => Interlocked.Read(ref _ignored);

    public void Start() => _consume ??= Task.Run(ConsumeLoop);

    /// <summary>The message for an indicator this node produced.</summary>
    public static FleetMessage Message(FleetSubjects names, ThreatIndicator indicator) =>
        new(names.Subject(indicator.Origin, FleetTopic.Indicator), indicator.Id, JsonSerializer.SerializeToUtf8Bytes(indicator, FleetJson.Default.ThreatIndicator));

    private async Task ConsumeLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                INatsJSConsumer consumer = await _connection.JetStream.CreateOrderedConsumerAsync(_connection.Names.IndicatorStream,
                    new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All }, _stop.Token).ConfigureAwait(false);
                await foreach (NatsJSMsg<byte[]> msg in consumer.ConsumeAsync<byte[]>(cancellationToken: _stop.Token).ConfigureAwait(false))
                {
                    await HandleAsync(msg.Subject, msg.Data).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException)
            {
                _log.LogDebug("fleet indicators: {Reason}; retrying", ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleAsync(string subject, byte[]? data)
    {
        ThreatIndicator? indicator = Parse(data);
        string? sender = _connection.Names.NodeOf(subject);
        if (indicator is null || !IndicatorKinds.IsKnown(indicator.Kind))
        {
            Ignore("malformed", $"unreadable indicator on {subject}");
            return;
        }
        if (indicator.Origin != sender)
        {
            Ignore("origin-mismatch", $"indicator {indicator.Id} claims origin {indicator.Origin} but came from {sender}");
            return;
        }
        if (!_seen.Add(indicator.Id))
        {
            return; // an ordered consumer redelivers after a reset
        }
        FleetMetrics.IndicatorsReceived.WithLabels(indicator.Kind).Inc();
        DateTime now = DateTime.UtcNow;
        if (indicator.IsExpired(now))
        {
            Ignore("expired", null);
            return;
        }
        IndicatorOutcome outcome = _apply(indicator);
        if (outcome.Applied)
        {
            Interlocked.Increment(ref _applied);
            FleetMetrics.IndicatorsApplied.WithLabels(indicator.Kind).Inc();
        }
        var report = new IndicatorReport
        {
            IndicatorId = indicator.Id,
            Kind = indicator.Kind,
            Value = indicator.Value,
            Origin = indicator.Origin,
            Node = _connection.Options.Node,
            Applied = outcome.Applied,
            Action = outcome.Action,
            Issued = indicator.Issued,
            At = DateTime.UtcNow,
        };
        await _publisher.PublishAsync(new FleetMessage(
            _connection.Names.Subject(_connection.Options.Node, FleetTopic.Applied),
            $"{_connection.Options.Node}.applied.{indicator.Id}",
            JsonSerializer.SerializeToUtf8Bytes(report, FleetJson.Default.IndicatorReport))).ConfigureAwait(false);
    }

    private void Ignore(string reason, string? detail)
    {
        Interlocked.Increment(ref _ignored);
        FleetMetrics.IndicatorsIgnored.WithLabels(reason).Inc();
        if (detail is not null)
        {
            _log.LogWarning("fleet: ignored {Detail}", detail);
        }
    }

    private static ThreatIndicator? Parse(byte[]? data)
    {
        try
        {
            return data is null ? null : JsonSerializer.Deserialize(data, FleetJson.Default.ThreatIndicator);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_consume is not null)
        {
            await _consume.ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
