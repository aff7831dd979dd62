using System.CommandLine;
using Microsoft.Extensions.Logging;
using Vigil.Agent.Host;
using Vigil.Agent.Output;
using Vigil.Agent.Pipeline;
using Vigil.Detection.Rules;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Sensors;
using Vigil.Sensors.Judging;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil run</c>: starts the sensors and streams enriched events to stdout.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Event format: json (one object per line) or table", DefaultValueFactory = _ => "json" };
        output.AcceptOnlyFromAmong("json", "table");
        var argsBudget = new Option<int>("--args-budget") { Description = "Bytes of argv captured per exec (0-4096)", DefaultValueFactory = _ => 1024 };
        var cacheSize = new Option<int>("--process-cache") { Description = "Processes kept in the process cache", DefaultValueFactory = _ => 65536 };
        var rules = new Option<string[]>("--rules", "-r") { Description = "Extra rule file in Falco's language (repeatable), loaded after the shipped rules/", AllowMultipleArgumentsPerToken = false };
        var sequences = new Option<string[]>("--sequences") { Description = "Extra sequence rule file (repeatable), loaded after the shipped rules/sequences/" };
        var policies = new Option<string?>("--policies") { Description = "Directory of policy files to put in force and watch (default: the shipped policies/)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log libbpf and sensor details to stderr" };
        var pinRoot = new Option<string?>("--pin-root") { Description = $"bpffs directory of pinned state to adopt (default {GuardPaths.DefaultRoot})" };
        var banThreshold = new Option<double>("--xdp-ban-threshold") { Description = "Auto-mitigation: ban a source above this many packets/s", DefaultValueFactory = _ => new MitigationOptions().ThresholdPps };
        var banTtl = new Option<TimeSpan?>("--xdp-ban-ttl") { Description = "Auto-mitigation: how long a ban lasts (90s, 10m, 2h)", CustomParser = Durations.Parse };
        var command = new Command("run", "Start the agent and stream events, detections and incidents") { output, argsBudget, cacheSize, rules, sequences, policies, verbose, pinRoot, banThreshold, banTtl };
        command.SetAction((result, cancel) =>
        {
            AnalysisOptions defaults = AnalysisOptions.Defaults(AppContext.BaseDirectory);
            var options = new AgentOptions
            {
                Sensors = new SensorOptions { ArgsBudget = result.GetValue(argsBudget) },
                Analysis = defaults with
                {
                    RuleFiles = [.. defaults.RuleFiles, .. result.GetValue(rules) ?? []],
                    SequenceFiles = [.. defaults.SequenceFiles, .. result.GetValue(sequences) ?? []],
                },
                ProcessCacheSize = result.GetValue(cacheSize),
                PolicyDirectory = result.GetValue(policies) ?? new AgentOptions().PolicyDirectory,
                Guard = GuardPaths.Default(result.GetValue(pinRoot)),
                Mitigation = new MitigationOptions
                {
                    ThresholdPps = result.GetValue(banThreshold),
                    BanTtl = result.GetValue(banTtl) ?? new MitigationOptions().BanTtl,
                },
            };
            IRecordFormatter formatter = result.GetValue(output) == "table" ? new TableFormatter() : new JsonLinesFormatter();
            return RunAsync(options, formatter, result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information, cancel);
        });
        return command;
    }

    private static async Task<int> RunAsync(AgentOptions options, IRecordFormatter formatter, LogLevel level, CancellationToken cancel)
    {
        if (!Privileges.CanUseBpf(out string missing))
        {
            await Console.Error.WriteLineAsync($"vigil run needs {missing}: run it as root (sudo ./vigil run).").ConfigureAwait(false);
            return ExitCodes.NoPermission;
        }
        try
        {
            options.Sensors.Validate();
            options.Mitigation.Validate();
            ArgumentOutOfRangeException.ThrowIfLessThan(options.ProcessCacheSize, 1, "--process-cache");
            foreach (string file in options.Analysis.RuleFiles.Concat(options.Analysis.SequenceFiles).Where(f => !File.Exists(f)))
            {
                throw new ArgumentException($"rule file {file} does not exist");
            }
            if (!Directory.Exists(options.PolicyDirectory))
            {
                throw new ArgumentException($"policy directory {options.PolicyDirectory} does not exist");
            }
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"vigil run: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        using ILoggerFactory logs = Logging.Create(level);
        ILogger log = logs.CreateLogger("vigil");
        foreach (string failure in SystemMounts.EnsureMounted())
        {
            log.LogWarning("could not mount {Failure}", failure);
        }
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        await using var sink = new RecordOutput(formatter, stdout, options.OutputQueue);
        var sinks = new List<IConclusionSink> { sink };
        await using var agent = new NodeAgent(options, new ConclusionFanout(sinks), logs);
        int running = agent.Start();
        foreach (SensorStatus status in agent.Sensors.Select(s => s.Status))
        {
            if (status.State == SensorState.Failed)
            {
                log.LogError("sensor {Sensor} degraded: {Reason}", status.Sensor, status.Reason);
            }
        }
        if (running == 0)
        {
            log.LogCritical("no sensor could start; `vigil doctor` says why");
            return ExitCodes.Unavailable;
        }
        log.LogInformation("vigil running: {Running}/{Total} sensors, {Processes} processes known, {Rules} rules active, {Sequences} sequences, {Policies} policies from {PolicyDirectory}; Ctrl-C stops",
            running, agent.Sensors.Count, agent.Processes.Count, agent.Rules.Count(RuleState.Active), agent.Sequences.Count,
            agent.Policies?.Policies.Count ?? 0, options.PolicyDirectory);
        try
        {
            await Task.Delay(Timeout.Infinite, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            log.LogInformation("stopping: detaching programs");
        }
        log.LogInformation("kernel drops {KernelDrops}, evaluation drops {EvaluationDrops}, correlation drops {CorrelationDrops}, output drops {OutputDrops}, cache evictions {Evictions}",
            agent.KernelDrops, agent.Analysis.EvaluationDrops, agent.Analysis.CorrelationDrops, sink.Dropped, agent.Processes.Evictions);
        foreach (JudgingSensor judging in agent.Sensors.OfType<JudgingSensor>().Where(s => s.Tables is not null))
        {
            log.LogInformation("sensor {Sensor}: {Unmatched} events judged and dropped in the kernel, {Thinned} held back by overload sampling",
                judging.Name, judging.Tables!.Unmatched, judging.Tables.OverloadThinned);
        }
        if (agent.Mitigation is { } mitigation)
        {
            log.LogInformation("xdp auto-mitigation: {Bans} bans installed, {Corrupt} corrupt samples; the guard stays attached",
                mitigation.BansInstalled, mitigation.CorruptSamples);
        }
        return ExitCodes.Ok;
    }
}
