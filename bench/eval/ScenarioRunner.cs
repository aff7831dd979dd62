using System.Diagnostics;

namespace Vigil.Bench.Eval;

/// <summary>Runs one scenario script in a fresh work directory and attributes to it the incidents of its process tree.</summary>
public sealed class ScenarioRunner(AgentRun agent, TimeSpan settle, TimeSpan timeout)
{
    private readonly HashSet<string> _claimed = [];

    public async Task<ScenarioOutcome> RunAsync(Scenario scenario)
    {
        DirectoryInfo work = Directory.CreateTempSubdirectory("vigil-eval-");
        DateTime? mark = null;
        int exitCode;
        long root;
        try
        {
            // Each scenario in a session of its own, under a parent of its own (setsid forks): scenarios are
            // separate experiments, and as children of the runner they would all be siblings of each other.
            var info = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in (string[])["--fork", "--wait", "bash", scenario.Script])
            {
                info.ArgumentList.Add(arg);
            }
            info.Environment["WORK"] = work.FullName;
            using Process script = Process.Start(info) ?? throw new InvalidOperationException("cannot start setsid");
            root = script.Id;
            script.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.StartsWith("VIGIL-MARK end", StringComparison.Ordinal) == true)
                {
                    mark ??= DateTime.UtcNow;
                }
            };
            script.ErrorDataReceived += (_, e) => { if (!string.IsNullOrEmpty(e.Data)) { Console.Error.WriteLine($"  {scenario.Name}: {e.Data}"); } };
            script.BeginOutputReadLine();
            script.BeginErrorReadLine();
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await script.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                script.Kill(entireProcessTree: true);
                await script.WaitForExitAsync().ConfigureAwait(false);
                Console.Error.WriteLine($"  {scenario.Name}: timed out after {timeout.TotalSeconds:0} s and was killed");
            }
            exitCode = script.ExitCode;
            await Task.Delay(settle).ConfigureAwait(false);
        }
        finally
        {
            // Deleted by a process of its own: the runner is every scenario's ancestor, and its unlinking a file
            // the attacker wrote (a planted SSH key) would link every later scenario to this one's incident.
            using Process cleanup = Process.Start("setsid", ["--fork", "--wait", "rm", "-rf", work.FullName]);
            await cleanup.WaitForExitAsync().ConfigureAwait(false);
        }
        HashSet<long> tree = agent.Tree(root);
        List<ObservedIncident> mine = [.. agent.Incidents().Where(i => !_claimed.Contains(i.Id) && i.Pids.Overlaps(tree))];
        _claimed.UnionWith(mine.Select(i => i.Id));
        return new ScenarioOutcome(scenario, mine, mark, exitCode);
    }
}
