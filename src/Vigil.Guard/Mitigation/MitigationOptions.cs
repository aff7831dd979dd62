namespace Vigil.Guard.Mitigation;

/// <summary>When auto-mitigation bans a source, for how long, and how coarse the source is.</summary>
public sealed record MitigationOptions
{
    /// <summary>Estimated packets per second from one source network above which it is banned.</summary>
    public double ThresholdPps { get; init; } = 10_000;

    public TimeSpan BanTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long samples are counted before sources are judged.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sources are counted and banned per prefix (an IPv6 host usually owns a whole /64).</summary>
    public int PrefixV4 { get; init; } = 32;

    public int PrefixV6 { get; init; } = 64;

    /// <summary>Distinct sources tracked per window; beyond this, new ones are not counted (spoofed floods stay bounded).</summary>
    public int MaxSources { get; init; } = 65536;

    public void Validate()
    {
        if (ThresholdPps <= 0)
        {
            throw new ArgumentException($"ban threshold {ThresholdPps} pps must be positive");
        }
        if (BanTtl <= TimeSpan.Zero || Window <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ban TTL {BanTtl} and window {Window} must be positive");
        }
        if (PrefixV4 is < 8 or > 32 || PrefixV6 is < 16 or > 128)
        {
            throw new ArgumentException($"ban prefixes /{PrefixV4} and /{PrefixV6} must be 8-32 and 16-128");
        }
    }
}
