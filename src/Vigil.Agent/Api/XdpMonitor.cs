using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Guard;
using Vigil.Guard.Rules;

namespace Vigil.Agent.Api;

/// <summary>
/// The API's window on the XDP guard: adopts the pinned state whenever it is there (attached
/// before or after the agent started), reads the counters once a second into packets/s per
/// rule and verdict (the last minute kept for charts), and bans and unbans for the API.
/// </summary>
public sealed class XdpMonitor : IDisposable
{
    public const int HistorySeconds = 60;

    private readonly GuardPaths _paths;
    private readonly string _objectPath;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<double>> _history = new(StringComparer.Ordinal);
    private readonly Timer _timer;
    private XdpGuard? _guard;
    private List<GuardCounterRow> _last = [];
    private DateTime _lastRead;

    public XdpMonitor(GuardPaths paths, string objectPath, ILogger log)
    {
        _paths = paths;
        _objectPath = objectPath;
        _log = log;
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    /// <summary>The guard's state with rates, or null when no guard is pinned.</summary>
    public XdpView? View()
    {
        lock (_lock)
        {
            if (Guard() is not { } guard)
            {
                return null;
            }
            GuardSnapshot snapshot = guard.Snapshot();
            List<CounterRate> counters = [.. _last.Select(r => new CounterRate(r.Name, r.Counter.Packets, r.Counter.Dropped,
                _history.TryGetValue(r.Name, out Queue<double>? h) ? [.. h] : []))];
            return new XdpView(snapshot, counters);
        }
    }

    public void Block(Cidr cidr, TimeSpan? ttl)
    {
        lock (_lock)
        {
            (Guard() ?? throw NotAttached()).Block(cidr, ttl);
        }
    }

    public bool Unblock(Cidr cidr)
    {
        lock (_lock)
        {
            return (Guard() ?? throw NotAttached()).Unblock(cidr);
        }
    }

    private GuardException NotAttached() => new($"the XDP guard is not attached (nothing pinned under {_paths.Directory})");

    /// <summary>The adopted guard; opened when pins appear, let go when they vanish (vigil xdp detach).</summary>
    private XdpGuard? Guard()
    {
        if (!XdpGuard.IsInstalled(_paths))
        {
            Release();
            return null;
        }
        return _guard ??= XdpGuard.Open(_paths, _objectPath);
    }

    private void Release()
    {
        _guard?.Dispose();
        _guard = null;
        _last = [];
        _history.Clear();
    }

    private void Sample()
    {
        lock (_lock)
        {
            try
            {
                if (Guard() is not { } guard)
                {
                    return;
                }
                DateTime now = DateTime.UtcNow;
                List<GuardCounterRow> rows = guard.ReadCounters();
                double seconds = (now - _lastRead).TotalSeconds;
                foreach (GuardCounterRow row in rows)
                {
                    GuardCounter before = _last.FirstOrDefault(r => r.Name == row.Name)?.Counter ?? row.Counter;
                    double pps = (row.Counter.Packets - Math.Min(before.Packets, row.Counter.Packets)) / Math.Max(seconds, 0.001);
                    Queue<double> history = _history.TryGetValue(row.Name, out Queue<double>? h) ? h : _history[row.Name] = new Queue<double>();
                    history.Enqueue(Math.Round(pps, 1));
                    while (history.Count > HistorySeconds)
                    {
                        history.Dequeue();
                    }
                }
                foreach (string gone in _history.Keys.Except(rows.Select(r => r.Name)).ToList())
                {
                    _history.Remove(gone);
                }
                _last = rows;
                _lastRead = now;
            }
            catch (Exception ex) when (ex is GuardException or BpfException or IOException)
            {
                _log.LogWarning("api: cannot read the XDP guard: {Reason}", ex.Message);
                Release();
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            Release();
        }
    }
}

/// <summary>One counter (a verdict or a rule) with its packets/s over the last minute, oldest first.</summary>
public sealed record CounterRate(string Name, ulong Packets, ulong Dropped, IReadOnlyList<double> PpsHistory)
{
    public double Pps => PpsHistory.Count == 0 ? 0 : PpsHistory[^1];
}

public sealed record XdpView(GuardSnapshot Snapshot, IReadOnlyList<CounterRate> Counters);
