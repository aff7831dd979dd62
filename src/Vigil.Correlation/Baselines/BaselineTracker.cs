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
    private readonly Dictionary<string, Profile> _binaries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Profile> _containers = new(StringComparer.Ordinal);
    private readonly Queue<(Dictionary<string, Profile> Owner, string Key)> _order = new();
    private List<Signal>? _found;
    private (string? Key, Profile? Profile) _lastBinary;
    private (string? Key, Profile? Profile) _lastContainer;

    public long ProfilesEvicted { get; private set; }

    public int Profiles => _binaries.Count + _containers.Count;

    /// <summary>
    /// Updates the profiles the event touches; returns the anomalies it reveals (usually none, and then
    /// without allocating). The list is reused by the next call.
    /// </summary>
    public IReadOnlyList<Signal> Observe(VigilEvent e)
    {
        _found?.Clear();
        ProcessInfo? context = e.Context;
        string binary = e is ProcessExecEvent exec ? exec.Binary : context?.Binary ?? "";
        if (binary.Length > 0)
        {
            Judge(Get(_binaries, ref _lastBinary, binary, e.Timestamp), binary, e);
        }
        if (context?.Container is { IsHost: false } container)
        {
            Judge(Get(_containers, ref _lastContainer, container.Id, e.Timestamp), container.ShortId, e);
        }
        // A child is news about its parent: judged against the parent's profile.
        if (e is ProcessExecEvent child && context?.Parent is { Binary.Length: > 0 } parent)
        {
            Profile profile = Get(_binaries, ref _lastBinary, parent.Binary, e.Timestamp);
            bool learning = IsLearning(profile, e.Timestamp);
            profile.Observations++;
            if (Novel(profile.Children, child.Binary, learning))
            {
                Found("new child process", profile, $"{parent.Binary}: new child process {child.Binary}", e);
            }
        }
        return _found is { Count: > 0 } ? _found : [];
    }

    private void Judge(Profile profile, string subject, VigilEvent e)
    {
        bool learning = IsLearning(profile, e.Timestamp);
        profile.Observations++;
        if (Rate(profile, e.Timestamp, learning) is { } rate)
        {
            Found("rate spike", profile, $"{subject}: {rate}", e);
        }
        switch (e)
        {
            case NetworkEvent { Direction: NetworkDirection.Outbound } net:
                if (profile.Destinations.Count < options.MaxItemsPerSet && profile.Destinations.Add((net.DestinationAddress, net.DestinationPort)) && !learning)
                {
                    Found("new outbound destination", profile, $"{subject}: new outbound destination {net.DestinationAddress}:{net.DestinationPort}", e);
                }
                break;
            case FileEvent file when (file.Intent & (FileIntent.Write | FileIntent.Create)) != 0:
                ReadOnlySpan<char> directory = Path.GetDirectoryName(file.Path.AsSpan());
                if (!profile.WrittenDirectories.GetAlternateLookup<ReadOnlySpan<char>>().Contains(directory)
                    && Novel(profile.WrittenDirectories, directory.IsEmpty ? "/" : directory.ToString(), learning))
                {
                    Found("new directory written", profile, $"{subject}: new directory written {directory}", e);
                }
                break;
        }
    }

    /// <summary>Adds the item while the set is small enough to judge; true when it is new and learning is over.</summary>
    private bool Novel(HashSet<string> known, string item, bool learning) =>
        known.Count < options.MaxItemsPerSet && known.Add(item) && !learning;

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

    /// <summary>
    /// The profile for the key, made if new. A process's events come in runs and share its strings,
    /// so the last lookup in the table (<paramref name="last"/>) is usually the answer.
    /// </summary>
    private Profile Get(Dictionary<string, Profile> profiles, ref (string? Key, Profile? Profile) last, string key, DateTime now)
    {
        if (ReferenceEquals(key, last.Key))
        {
            return last.Profile!;
        }
        if (!profiles.TryGetValue(key, out Profile? profile))
        {
            while (Profiles >= options.MaxProfiles && _order.TryDequeue(out var oldest))
            {
                oldest.Owner.Remove(oldest.Key);
                ProfilesEvicted++;
                (_lastBinary, _lastContainer) = (default, default);
            }
            profile = new Profile(now);
            profiles[key] = profile;
            _order.Enqueue((profiles, key));
        }
        last = (key, profile);
        return profile;
    }

    private void Found(string name, Profile profile, string description, VigilEvent e) =>
        (_found ??= []).Add(SignalFactory.FromAnomaly(nextSignalId(), name, profile.Stability, description, e));
}
