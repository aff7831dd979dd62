namespace Vigil.Correlation.Signals;

/// <summary>
/// Priors per Falco priority: how much one detection of that priority says on its own.
/// Calibrated on the scenario suite (docs/correlation.md); plain events carry none.
/// </summary>
public static class Priors
{
    public static double ForPriority(string priority) => priority.ToUpperInvariant() switch
    {
        "EMERGENCY" or "ALERT" or "CRITICAL" => 0.9,
        "ERROR" => 0.75,
        "WARNING" => 0.6,
        "NOTICE" => 0.45,
        "INFORMATIONAL" or "INFO" => 0.25,
        "DEBUG" => 0.1,
        _ => 0.45,
    };

    public const double Sequence = 0.95;

    public const double Event = 0;

    /// <summary>An anomaly is weaker evidence than a rule: new behaviour is often benign.</summary>
    public static double ForAnomaly(double score) => Math.Clamp(score, 0, 1) * 0.5;
}
