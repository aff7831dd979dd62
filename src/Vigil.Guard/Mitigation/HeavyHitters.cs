using Vigil.Guard.Rules;

namespace Vigil.Guard.Mitigation;

/// <summary>Sampled packets per source network in the current window, with a bound on distinct sources.</summary>
public sealed class HeavyHitters
{
    private readonly Dictionary<Cidr, long> _counts = [];
    private readonly int _maxSources;

    public HeavyHitters(int maxSources)
    {
        _maxSources = maxSources;
    }

    /// <summary>Samples of sources that arrived when the table was full: counted, not attributed.</summary>
    public long Untracked { get; private set; }

    public void Add(Cidr source)
    {
        if (_counts.TryGetValue(source, out long n))
        {
            _counts[source] = n + 1;
        }
        else if (_counts.Count < _maxSources)
        {
            _counts[source] = 1;
        }
        else
        {
            Untracked++;
        }
    }

    /// <summary>The busiest sources of the current window with their estimated rates, busiest first.</summary>
    public List<(Cidr Source, double Pps)> Top(int count, uint sampleEvery, TimeSpan window) => [.. _counts
        .OrderByDescending(kv => kv.Value)
        .Take(count)
        .Select(kv => (kv.Key, kv.Value * (double)Math.Max(1u, sampleEvery) / window.TotalSeconds))];

    /// <summary>Sources whose estimated rate (samples x 1-in-N / window) reaches the threshold; then starts a new window.</summary>
    public List<(Cidr Source, double Pps)> Drain(uint sampleEvery, TimeSpan window, double thresholdPps)
    {
        List<(Cidr, double)> hitters = [.. _counts
            .Select(kv => (kv.Key, Pps: kv.Value * (double)Math.Max(1u, sampleEvery) / window.TotalSeconds))
            .Where(h => h.Pps >= thresholdPps)
            .OrderByDescending(h => h.Pps)];
        _counts.Clear();
        Untracked = 0;
        return hitters;
    }
}
