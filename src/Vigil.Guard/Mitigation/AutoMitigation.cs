using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Guard.Rules;
using Vigil.Sensors;

namespace Vigil.Guard.Mitigation;

/// <summary>
/// Runs inside the agent while the guard is attached: counts sampled packets per source network,
/// bans sources whose estimated rate crosses the threshold (with a TTL), says so in an event, and
/// reaps expired bans. Samples of packets already dropped by a ban or the deny list are not counted.
/// </summary>
public sealed class AutoMitigation : IRecordConsumer, IDisposable
{
    private readonly XdpGuard _guard;
    private readonly MitigationOptions _options;
    private readonly IEventSink _sink;
    private readonly ILogger _logger;
    private readonly ProcessIdentity _agent;
    private readonly HeavyHitters _hitters;
    private readonly RingBufferReader _reader = new();
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private long _bans;
    private long _corrupt;

    public AutoMitigation(XdpGuard guard, MitigationOptions options, IEventSink sink, ProcessIdentity agent, ILogger logger)
    {
        options.Validate();
        _guard = guard;
        _options = options;
        _sink = sink;
        _agent = agent;
        _logger = logger;
        _hitters = new HeavyHitters(options.MaxSources);
    }

    public long BansInstalled => Interlocked.Read(ref _bans);

    public long CorruptSamples => Interlocked.Read(ref _corrupt);

    /// <summary>The busiest sampled sources of the last complete window (what the console shows).</summary>
    public IReadOnlyList<(Cidr Source, double Pps)> TopSources { get; private set; } = [];

    public void Start()
    {
        _reader.Add(_guard.Samples, this);
        _thread = new Thread(Run) { Name = "vigil-xdp-mitigation", IsBackground = true };
        _thread.Start();
    }

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        try
        {
            ref readonly SampleRecord sample = ref RecordReader.Fixed<SampleRecord>(record);
            if (sample.Slot is (ushort)GuardSlot.Ban or (ushort)GuardSlot.Deny or (ushort)GuardSlot.Allow)
            {
                return;
            }
            _hitters.Add(Source(sample));
        }
        catch (CorruptRecordException)
        {
            Interlocked.Increment(ref _corrupt);
        }
    }

    private unsafe Cidr Source(in SampleRecord sample)
    {
        fixed (byte* saddr = sample.Saddr)
        {
            bool v4 = sample.Family == 4;
            var address = new IPAddress(new ReadOnlySpan<byte>(saddr, v4 ? 4 : 16));
            return Cidr.Of(address, v4 ? _options.PrefixV4 : _options.PrefixV6);
        }
    }

    private void Run()
    {
        var window = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _reader.Poll(50);
                if (window.Elapsed >= _options.Window)
                {
                    Judge(window.Elapsed);
                    window.Restart();
                }
            }
            catch (Exception ex) when (ex is BpfException or GuardException)
            {
                _logger.LogError("xdp auto-mitigation: {Reason}", ex.Message);
                _stop.Token.WaitHandle.WaitOne(_options.Window);
            }
        }
    }

    private void Judge(TimeSpan elapsed)
    {
        if (_hitters.Untracked > 0)
        {
            _logger.LogWarning("xdp: {Untracked} samples from sources beyond the {Max} tracked this window (a spoofed flood?)", _hitters.Untracked, _options.MaxSources);
        }
        TopSources = _hitters.Top(10, _guard.SampleEvery, elapsed);
        foreach ((Cidr source, double pps) in _hitters.Drain(_guard.SampleEvery, elapsed, _options.ThresholdPps))
        {
            _guard.Block(source, _options.BanTtl, automatic: true);
            Interlocked.Increment(ref _bans);
            _logger.LogWarning("xdp: banned {Source} for {Ttl} (about {Pps:0} pps, threshold {Threshold})", source, _options.BanTtl, pps, _options.ThresholdPps);
            _sink.Publish(new GuardBanEvent
            {
                Timestamp = DateTime.UtcNow,
                Process = _agent,
                Network = source.ToString(),
                Ttl = _options.BanTtl,
                EstimatedPps = pps,
                ThresholdPps = _options.ThresholdPps,
            });
        }
        foreach (GuardBan expired in _guard.ReapExpiredBans())
        {
            _logger.LogInformation("xdp: ban on {Source} expired", expired.Cidr);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        _reader.Dispose();
        _stop.Dispose();
    }
}
