using System.Text.Json;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;

namespace Vigil.Fleet;

/// <summary>Writes this node's <see cref="NodeHeartbeat"/> to the nodes bucket every interval while NATS is reachable (heartbeats are not spooled: only the latest matters).</summary>
public sealed class HeartbeatWriter : IAsyncDisposable
{
    private readonly FleetConnection _connection;
    private readonly Func<NodeHeartbeat> _state;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public HeartbeatWriter(FleetConnection connection, Func<NodeHeartbeat> state, ILogger log)
    {
        _connection = connection;
        _state = state;
        _log = log;
    }

    public void Start() => _loop ??= Task.Run(Loop);

    private async Task Loop()
    {
        using var timer = new PeriodicTimer(_connection.Options.HeartbeatInterval);
        do
        {
            if (!_connection.IsOpen)
            {
                continue;
            }
            try
            {
                INatsKVStore nodes = await _connection.KeyValue.GetStoreAsync(_connection.Names.NodesBucket, _stop.Token).ConfigureAwait(false);
                await nodes.PutAsync(_connection.Options.Node, JsonSerializer.SerializeToUtf8Bytes(_state(), FleetJson.Default.NodeHeartbeat), cancellationToken: _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException && !_stop.IsCancellationRequested)
            {
                _log.LogDebug("fleet heartbeat: {Reason}", ex.Message);
            }
        }
        while (await WaitAsync(timer).ConfigureAwait(false));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
