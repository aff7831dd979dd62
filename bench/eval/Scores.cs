using System.Globalization;

namespace Vigil.Bench.Eval;

/// <summary>
/// The suite's verdict, per scenario (an attack is detected when an incident holding its expected
/// finding comes out of its own process tree; a benign run must give no incident at all):
/// recall = detected attacks / attacks; precision = detected attacks / (detected attacks + benign
/// runs with an incident); root cause = right root causes / detected attacks; Brier = mean over all
/// runs of (confidence - truth)^2, truth 1 for attacks and 0 for benign runs, confidence 0 without
/// an incident; time to detect p95 over detected attacks.
/// </summary>
public sealed record Scores(double Recall, double Precision, double RootCause, int BenignIncidents, double Brier, double TtdP95Ms)
{
    public static Scores Of(IReadOnlyList<ScenarioOutcome> outcomes)
    {
        List<ScenarioOutcome> attacks = [.. outcomes.Where(o => o.Scenario.IsAttack)];
        List<ScenarioOutcome> benign = [.. outcomes.Where(o => !o.Scenario.IsAttack)];
        int detected = attacks.Count(o => o.Detected);
        int falseAlarms = benign.Count(o => o.Incidents.Count > 0);
        double[] ttd = [.. attacks.Where(o => o.TimeToDetect is not null).Select(o => o.TimeToDetect!.Value.TotalMilliseconds).Order()];
        return new Scores(
            Recall: attacks.Count == 0 ? 0 : (double)detected / attacks.Count,
            Precision: detected + falseAlarms == 0 ? 0 : (double)detected / (detected + falseAlarms),
            RootCause: detected == 0 ? 0 : (double)attacks.Count(o => o.RootCauseRight) / detected,
            BenignIncidents: benign.Sum(o => o.Incidents.Count),
            Brier: outcomes.Count == 0 ? 1 : outcomes.Average(o => Math.Pow(o.Confidence - (o.Scenario.IsAttack ? 1 : 0), 2)),
            TtdP95Ms: ttd.Length == 0 ? double.NaN : ttd[Math.Min(ttd.Length - 1, (int)Math.Ceiling(0.95 * ttd.Length) - 1)]);
    }

    public string Headline() => string.Create(CultureInfo.InvariantCulture,
        $"eval: recall={Recall:0.00} precision={Precision:0.00} rootcause={RootCause:0.00} benign_incidents={BenignIncidents} brier={Brier:0.000} ttd_p95_ms={TtdP95Ms:0}");
}
