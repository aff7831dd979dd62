namespace Vigil.Detection.Rules;

/// <summary>Falco's priorities, most severe first (syslog severities).</summary>
public enum RulePriority
{
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Informational,
    Debug,
}

public static class RulePriorities
{
    public static RulePriority Parse(string text) => text.Trim().ToUpperInvariant() switch
    {
        "EMERGENCY" => RulePriority.Emergency,
        "ALERT" => RulePriority.Alert,
        "CRITICAL" => RulePriority.Critical,
        "ERROR" => RulePriority.Error,
        "WARNING" => RulePriority.Warning,
        "NOTICE" => RulePriority.Notice,
        "INFO" or "INFORMATIONAL" => RulePriority.Informational,
        "DEBUG" => RulePriority.Debug,
        _ => throw RuleException.Error($"unknown priority '{text}'"),
    };
}
