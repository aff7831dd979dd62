using System.Net;

namespace Vigil.Correlation.Baselines;

/// <summary>What one binary (or container) normally does: children, destinations, written directories, event rate.</summary>
internal sealed class Profile(DateTime firstSeen)
{
    public DateTime FirstSeen { get; } = firstSeen;

    public long Observations { get; set; }

    public HashSet<string> Children { get; } = new(StringComparer.Ordinal);

    public HashSet<(IPAddress Address, ushort Port)> Destinations { get; } = [];

    /// <summary>Looked up by span, so judging a write allocates nothing for a known directory.</summary>
    public HashSet<string> WrittenDirectories { get; } = new(StringComparer.Ordinal);

    public DateTime MinuteStart { get; set; } = firstSeen;

    public long EventsThisMinute { get; set; }

    public double RateMean { get; set; }

    public double RateVariance { get; set; }

    public int MinutesSeen { get; set; }

    /// <summary>How much a deviation from this profile means: more history, more weight (0..1).</summary>
    public double Stability => 1 - (1 / (1 + (Observations / 50.0)));
}
