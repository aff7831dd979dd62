namespace Vigil.Correlation.Baselines;

public sealed record BaselineOptions
{
    /// <summary>How long a profile learns before deviations count.</summary>
    public TimeSpan Learning { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Observations a profile needs before it can call anything new an anomaly.</summary>
    public int MinObservations { get; init; } = 20;

    /// <summary>Weight of the newest minute in the event-rate average (EWMA).</summary>
    public double RateAlpha { get; init; } = 0.2;

    /// <summary>Standard deviations above the learned rate that make a rate anomaly.</summary>
    public double RateSigmas { get; init; } = 4;

    /// <summary>Profiles kept (binaries plus containers); past it the oldest is dropped and counted.</summary>
    public int MaxProfiles { get; init; } = 50_000;

    /// <summary>Distinct items kept per learned set; a set that outgrows it is too varied to judge and stops alerting.</summary>
    public int MaxItemsPerSet { get; init; } = 1024;
}
