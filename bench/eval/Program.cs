using System.Globalization;
using Vigil.Bench.Eval;

// The scenario suite (issue 6): runs every scenario of tests/scenarios against the live agent, one
// at a time, and scores what the agent concluded. Prints one line per scenario, then the headline.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Vigil.Bench.Eval VIGIL_CLI SCENARIOS_DIR FALCO_RULES [SCENARIO...]");
    return 2;
}
List<Scenario> scenarios;
try
{
    scenarios = Scenario.LoadAll(args[1]);
}
catch (InvalidDataException ex)
{
    Console.Error.WriteLine($"eval: {ex.Message}");
    return 2;
}
string[] only = args[3..];
if (only.Length > 0)
{
    scenarios = [.. scenarios.Where(s => only.Contains(s.Name))];
}

// What the agent printed goes to agent.jsonl in the working directory (bench/out/eval).
using var agent = new AgentRun(args[0], ["--rules", args[2]], "agent.jsonl");
if (await Task.WhenAny(agent.Running, Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false) != agent.Running)
{
    Console.Error.WriteLine("eval: the agent did not start within 60 s");
    return 1;
}
await agent.Running.ConfigureAwait(false);
await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);

var runner = new ScenarioRunner(agent, settle: TimeSpan.FromSeconds(3), timeout: TimeSpan.FromSeconds(60));
var outcomes = new List<ScenarioOutcome>();
foreach (Scenario scenario in scenarios)
{
    ScenarioOutcome o = await runner.RunAsync(scenario).ConfigureAwait(false);
    outcomes.Add(o);
    string verdict = scenario.IsAttack
        ? (o.Detected ? $"detected root_cause={(o.RootCauseRight ? "right" : "wrong:" + o.Match!.RootCause)} ttd_ms={o.TimeToDetect?.TotalMilliseconds:0}" : "MISSED")
        : (o.Incidents.Count == 0 ? "quiet" : "FALSE POSITIVE");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{scenario.Kind,-6} {scenario.Name,-28} {verdict} incidents={o.Incidents.Count} confidence={o.Confidence:0.00} exit={o.ExitCode}"));
    foreach (ObservedIncident i in o.Incidents)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"         incident '{i.Title}' findings=[{string.Join(", ", i.Findings)}] root_cause='{i.RootCause}' confidence={i.Confidence:0.00}"));
    }
}
Console.WriteLine(Scores.Of(outcomes).Headline());
// A scenario that failed to run measured nothing: the run fails rather than count it.
List<string> broken = [.. outcomes.Where(o => o.ExitCode != 0).Select(o => o.Scenario.Name)];
if (broken.Count > 0)
{
    Console.Error.WriteLine($"eval: scenarios that failed to run (their stderr is in bench/out/eval/stderr.log): {string.Join(", ", broken)}");
    return 1;
}
return 0;
