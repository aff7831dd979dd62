using Vigil.Correlation.Signals;
using Vigil.Events;

namespace Vigil.Correlation.Baselines;

/// <summary>
/// Learns, per binary and per container, which children it executes, where it connects, which
/// directories it writes and its event rate (EWMA); after the learning window a deviation becomes an
/// anomaly signal whose score grows with the profile's history. Not thread-safe.
/// </summary>
public sealed class BaselineTracker(BaselineOptions options, Func<long> nextSignalId)
{
    private readonly Dictionary<string, Profile> _profiles = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public long ProfilesEvicted { get; private set; }

    public int Profiles => _profiles.Count;

    /// <summary>Updates the profiles the event touches; returns the anomalies it reveals (usually none).</summary>
    public List<Signal> Observe(VigilEvent e)
    {
        var anomalies = new List<Signal>();
        ProcessInfo? context = e.Context;
        string binary = e is ProcessExecEvent exec ? exec.Binary : context?.Binary ?? "";
        if (binary.Length > 0)
        {
            Judge(Get("binary:" + binary, e.Timestamp), binary, e, anomalies);
        }
        if (context?.Container is { IsHost: false } container)
        {
            Judge(Get("container:" + container.Id, e.Timestamp), "container " + container.ShortId, e, anomalies);
        }
        // A child is news about its parent: judged against the parent's profile.
        if (e is ProcessExecEvent child && context?.Parent is { Binary.Length: > 0 } parent)
        {
            Profile profile = Get("binary:" + parent.Binary, e.Timestamp);
            bool learning = IsLearning(profile, e.Timestamp);
            profile.Observations++;
            Novelty(profile, learning, profile.Children, child.Binary, "new child process", parent.Binary, e, anomalies);
        }
        return anomalies;
    }

    private void Judge(Profile profile, string subject, VigilEvent e, List<Signal> anomalies)
    {
        bool learning = IsLearning(profile, e.Timestamp);
        profile.Observations++;
        if (Rate(profile, e.Timestamp, learning) is { } rate)
        {
            anomalies.Add(Anomaly("rate spike", profile.Stability, $"{subject}: {rate}", e));
        }
        switch (e)
        {
            case NetworkEvent { Direction: NetworkDirection.Outbound } net:
                Novelty(profile, learning, profile.Destinations, $"{net.DestinationAddress}:{net.DestinationPort}", "new outbound destination", subject, e, anomalies);
                break;
            case FileEvent file when (file.Intent & (FileIntent.Write | FileIntent.Create)) != 0:
                Novelty(profile, learning, profile.WrittenDirectories, Path.GetDirectoryName(file.Path) ?? "/", "new directory written", subject, e, anomalies);
                break;
        }
    }

    private void Novelty(Profile profile, bool learning, HashSet<string> known, string item, string what, string subject, VigilEvent e, List<Signal> anomalies)
    {
        if (known.Count < options.MaxItemsPerSet && known.Add(item) && !learning)
        {
            anomalies.Add(Anomaly(what, profile.Stability, $"{subject}: {what} {item}", e));
        }
    }

    private bool IsLearning(Profile profile, DateTime now) =>
        now - profile.FirstSeen < options.Learning || profile.Observations < options.MinObservations;

    /// <summary>Closes minutes as time passes; a finished minute far above the learned rate is an anomaly.</summary>
    private string? Rate(Profile profile, DateTime now, bool learning)
    {
        string? anomaly = null;
        while (now - profile.MinuteStart >= TimeSpan.FromMinutes(1))
        {
            double count = profile.EventsThisMinute;
            double sd = Math.Sqrt(profile.RateVariance);
            if (!learning && profile.MinutesSeen >= 5 && count > profile.RateMean + (options.RateSigmas * Math.Max(sd, 1)))
            {
                anomaly = $"{count} events in a minute, learned {profile.RateMean:0.#} ± {sd:0.#}";
            }
            double delta = count - profile.RateMean;
            profile.RateMean += options.RateAlpha * delta;
            profile.RateVariance = (1 - options.RateAlpha) * (profile.RateVariance + (options.RateAlpha * delta * delta));
            profile.MinutesSeen++;
            profile.EventsThisMinute = 0;
            profile.MinuteStart += TimeSpan.FromMinutes(1);
            if (now - profile.MinuteStart > TimeSpan.FromHours(1))
            {
                profile.MinuteStart = now; // a long silence is not a thousand empty minutes to replay
            }
        }
        profile.EventsThisMinute++;
        return anomaly;
    }

    private Profile Get(string key, DateTime now)
    {
        if (_profiles.TryGetValue(key, out Profile? profile))
        {
            return profile;
        }
        while (_profiles.Count >= options.MaxProfiles && _order.TryDequeue(out string? oldest))
        {
            _profiles.Remove(oldest);
            ProfilesEvicted++;
        }
        profile = new Profile(now);
        _profiles[key] = profile;
        _order.Enqueue(key);
        return profile;
    }

    private Signal Anomaly(string name, double score, string description, VigilEvent e) =>
        SignalFactory.FromAnomaly(nextSignalId(), name, score, description, e);
}
