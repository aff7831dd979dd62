using Microsoft.Extensions.Logging;
using Vigil.Bpf;

namespace Vigil.Sensors;

/// <summary>
/// Starts a set of sensors, keeps those that load (the rest are reported as failed), and reads all
/// their rings on one dedicated thread until stopped. Disposing detaches everything.
/// </summary>
public sealed class SensorHost : IDisposable
{
    private readonly List<Sensor> _sensors;
    private readonly RingBufferReader _reader = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private Thread? _thread;

    public SensorHost(IEnumerable<Sensor> sensors, ILogger<SensorHost> logger)
    {
        _sensors = [.. sensors];
        _logger = logger;
    }

    public IReadOnlyList<Sensor> Sensors => _sensors;

    public IEnumerable<SensorStatus> Statuses => _sensors.Select(s => s.Status);

    public long ConsumerFaults => _reader.ConsumerFaults;

    /// <summary>How full each ring is (0 to 1), by ring map name.</summary>
    public IReadOnlyList<RingGauge> Rings => _reader.Rings;

    /// <summary>
    /// Starts every sensor, side by side (loading is mostly the kernel verifying programs, which
    /// runs on as many cores as there are loads); returns how many run. The reader thread starts
    /// when at least one does.
    /// </summary>
    public int Start(SensorOptions options, int pollIntervalMs = 10)
    {
        Task<bool>[] starting = [.. _sensors.Select(s => Task.Factory.StartNew(() => s.Start(options, _reader), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        int running = Task.WhenAll(starting).GetAwaiter().GetResult().Count(started => started);
        if (running > 0)
        {
            _thread = new Thread(() => Read(pollIntervalMs)) { Name = "vigil-ring-reader", IsBackground = true };
            _thread.Start();
        }
        return running;
    }

    private void Read(int pollIntervalMs)
    {
        try
        {
            _reader.Run(_stop.Token, pollIntervalMs);
        }
        catch (BpfException ex)
        {
            _logger.LogCritical("ring-buffer reader stopped: {Reason}", ex.Message);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        _reader.Dispose();
        foreach (Sensor sensor in _sensors)
        {
            sensor.Dispose();
        }
        _stop.Dispose();
    }
}
