using Microsoft.Extensions.Logging;
using Vigil.Events;

namespace Vigil.Sensors.Judging;

/// <summary>When overload sampling steps in and out.</summary>
public sealed record OverloadOptions
{
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A ring this full for <see cref="RaiseAfter"/> checks in a row doubles the sampling.</summary>
    public double HighFill { get; init; } = 0.5;

    /// <summary>A ring below this for <see cref="LowerAfter"/> checks in a row halves it.</summary>
    public double LowFill { get; init; } = 0.1;

    public int RaiseAfter { get; init; } = 2;

    public int LowerAfter { get; init; } = 8;

    /// <summary>The most events thinned: one in this many ships.</summary>
    public uint MaxEvery { get; init; } = 64;
}

/// <summary>
/// Watches the rings of the judging sensors. While one stays above the high fill mark, its kernel
/// ships only one in N events of rules not marked critical (sigkill rules always are), N doubling
/// each time; once the ring has stayed low, N halves back to 1. Each change is published as a
/// <see cref="SensorSamplingEvent"/>, and what sampling held back is counted in the kernel.
/// </summary>
public sealed class OverloadSampling : IDisposable
{
    private readonly List<State> _sensors;
    private readonly IEventSink _sink;
    private readonly ProcessIdentity _agent;
    private readonly OverloadOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Timer? _timer;

    public OverloadSampling(IEnumerable<JudgingSensor> sensors, IEventSink sink, ProcessIdentity agent, OverloadOptions options, ILogger logger)
    {
        _sensors = [.. sensors.Where(s => s.Tables is not null && s.Ring is not null).Select(s => new State(s))];
        _sink = sink;
        _agent = agent;
        _options = options;
        _logger = logger;
    }

    /// <summary>The sampling in force per sensor: one in this many low-priority events ships.</summary>
    public IReadOnlyDictionary<string, uint> Every
    {
        get
        {
            lock (_lock)
            {
                return _sensors.ToDictionary(s => s.Sensor.Name, s => s.Every);
            }
        }
    }

    public void Start() => _timer = new Timer(_ => Check(), null, _options.CheckInterval, _options.CheckInterval);

    /// <summary>One look at every ring (the timer calls it; tests may too).</summary>
    public void Check()
    {
        lock (_lock)
        {
            foreach (State s in _sensors)
            {
                double fill = s.Sensor.Ring!.Fill;
                s.High = fill >= _options.HighFill ? s.High + 1 : 0;
                s.Low = fill < _options.LowFill ? s.Low + 1 : 0;
                uint every = s.High >= _options.RaiseAfter && s.Every < _options.MaxEvery ? s.Every * 2
                    : s.Low >= _options.LowerAfter && s.Every > 1 ? s.Every / 2
                    : s.Every;
                if (every != s.Every)
                {
                    Change(s, every, fill);
                }
            }
        }
    }

    private void Change(State s, uint every, double fill)
    {
        s.Sensor.Tables!.SetOverloadSampling(every);
        s.Every = every;
        s.High = 0;
        s.Low = 0;
        _logger.LogWarning("sensor {Sensor}: ring {Fill:P0} full, shipping 1 in {Every} low-priority events", s.Sensor.Name, fill, every);
        _sink.Publish(new SensorSamplingEvent
        {
            Timestamp = DateTime.UtcNow,
            Process = _agent,
            Sensor = s.Sensor.Name,
            Every = every,
            RingFill = fill,
        });
    }

    public void Dispose() => _timer?.Dispose();

    private sealed class State(JudgingSensor sensor)
    {
        public JudgingSensor Sensor { get; } = sensor;

        public uint Every { get; set; } = 1;

        public int High { get; set; }

        public int Low { get; set; }
    }
}
