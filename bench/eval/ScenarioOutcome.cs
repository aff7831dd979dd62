namespace Vigil.Bench.Eval;

/// <summary>What the agent concluded about one scenario run.</summary>
public sealed record ScenarioOutcome(Scenario Scenario, List<ObservedIncident> Incidents, DateTime? MarkUtc, int ExitCode)
{
    /// <summary>The incident holding the expected finding, when the attack was detected.</summary>
    public ObservedIncident? Match => Scenario.Expect is { } expect
        ? Incidents.Where(i => i.Findings.Contains(expect.Finding)).OrderBy(i => i.FirstReadUtc).FirstOrDefault()
        : null;

    public bool Detected => Match is not null;

    public bool RootCauseRight => Match is { } m && m.RootCause.Contains(Scenario.Expect!.RootCause, StringComparison.Ordinal);

    /// <summary>How sure the agent was that something malicious happened here (0 without an incident).</summary>
    public double Confidence => Incidents.Count == 0 ? 0 : Incidents.Max(i => i.Confidence);

    /// <summary>From the scenario's last malicious action to the incident being read off the agent's output.</summary>
    public TimeSpan? TimeToDetect => Match is { } m && MarkUtc is { } mark
        ? (m.FirstReadUtc > mark ? m.FirstReadUtc - mark : TimeSpan.Zero)
        : null;
}
