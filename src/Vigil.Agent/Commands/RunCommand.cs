using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Agent.Api;
using Vigil.Agent.Config;
using Vigil.Agent.Fleet;
using Vigil.Agent.Host;
using Vigil.Agent.Otlp;
using Vigil.Agent.Output;
using Vigil.Agent.Pipeline;
using Vigil.Agent.Telemetry;
using Vigil.Detection.Rules;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Sensors;
using Vigil.Sensors.Judging;
using Vigil.Storage;

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
        var store = StoreArguments.Path("Edge store file (SQLite), or none to run without one");
        var storeRetention = StoreArguments.Retention();
        var storeMaxSize = StoreArguments.MaxSize();
        var storeQueue = StoreArguments.Queue();
        var storeBatch = StoreArguments.Batch();
        var api = new Option<string>("--api") { Description = "on: serve the local API, console and /metrics; none: do not", DefaultValueFactory = _ => "on" };
        api.AcceptOnlyFromAmong("on", "none");
        var apiListen = new Option<IPEndPoint?>("--api-listen") { Description = $"API address:port (default {ApiOptions.DefaultListen}; port 0 picks one)", CustomParser = ParseEndPoint };
        var apiSocket = new Option<string?>("--api-socket") { Description = "Serve the API on this unix socket (instead of TCP unless --api-listen is given too)" };
        var apiToken = new Option<string>("--api-token-file") { Description = "API bearer token file, created (0600) on first start", DefaultValueFactory = _ => ApiOptions.DefaultTokenFile };
        var apiCert = new Option<string?>("--api-tls-cert") { Description = "PEM certificate for HTTPS (required beyond loopback)" };
        var apiKey = new Option<string?>("--api-tls-key") { Description = "PEM private key of --api-tls-cert, when not in the same file" };
        var apiNetworkReads = new Option<bool>("--api-network-reads") { Description = "Allow binding beyond loopback, which makes read routes reachable from the network (still with the token)" };
        var otlp = new OtlpArguments();
        var command = new Command("run", "Start the agent and stream events, detections and incidents")
        {
            output, argsBudget, cacheSize, rules, sequences, policies, verbose, pinRoot, banThreshold, banTtl,
            api, apiListen, apiSocket, apiToken, apiCert, apiKey, apiNetworkReads,
            store, storeRetention, storeMaxSize, storeQueue, storeBatch,
        };
        var fleet = new FleetArguments();
        fleet.AddTo(command, agent: true);
        var jsonl = new JsonLinesArguments();
        jsonl.AddTo(command);
        otlp.AddTo(command);
        var config = new Option<string?>("--config") { Description = "YAML configuration file (docs/config.md); VIGIL_SECTION__KEY variables override it, flags override both" };
        command.Options.Add(config);
        command.SetAction((given, cancel) =>
        {
            RunConfiguration configuration;
            ParseResult result;
            try
            {
                configuration = RunConfiguration.Load(command, given, given.GetValue(config));
                result = configuration.Apply(given);
            }
            catch (ConfigException ex)
            {
                Console.Error.WriteLine($"vigil run: {ex.Message}");
                return Task.FromResult(ExitCodes.Usage);
            }
            if (result.Errors.FirstOrDefault() is { } error)
            {
                Console.Error.WriteLine($"vigil run: {error.Message}");
                return Task.FromResult(ExitCodes.Usage);
            }
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
                Store = StoreArguments.Bind(result.GetValue(store)!, result.GetValue(storeRetention), result.GetValue(storeMaxSize), result.GetValue(storeQueue), result.GetValue(storeBatch)),
                Api = new ApiOptions
                {
                    Enabled = result.GetValue(api) == "on",
                    Listen = result.GetValue(apiListen) ?? (result.GetValue(apiSocket) is null ? ApiOptions.DefaultListen : null),
                    Socket = result.GetValue(apiSocket),
                    TokenFile = result.GetValue(apiToken)!,
                    TlsCertificate = result.GetValue(apiCert),
                    TlsKey = result.GetValue(apiKey),
                    NetworkReads = result.GetValue(apiNetworkReads),
                },
                Fleet = fleet.Read(result),
                JsonLines = jsonl.Read(result),
                Otlp = otlp.Read(result),
            };
            IRecordFormatter formatter = result.GetValue(output) == "table" ? new TableFormatter() : new JsonLinesFormatter();
            return RunAsync(options, formatter, result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information, configuration.Explain, cancel);
        });
        return command;
    }

    private static IPEndPoint? ParseEndPoint(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && text.Contains(':', StringComparison.Ordinal))
        {
            return endpoint;
        }
        result.AddError($"'{text}' is not ADDRESS:PORT (e.g. 127.0.0.1:7878 or [::1]:7878)");
        return null;
    }

    /// <param name="explain">Adds to a refused flag where its value came from (the configuration file, a variable).</param>
    private static async Task<int> RunAsync(AgentOptions options, IRecordFormatter formatter, LogLevel level, Func<string, string> explain, CancellationToken cancel)
    {
        PhaseTimings startup = PhaseTimings.SinceProcessStart();
        if (!Privileges.CanUseBpf(out string missing))
        {
            await Console.Error.WriteLineAsync($"vigil run needs {missing}: run it as root (sudo ./vigil run).").ConfigureAwait(false);
            return ExitCodes.NoPermission;
        }
        try
        {
            options.Sensors.Validate();
            options.Mitigation.Validate();
            options.Api.Validate();
            options.Fleet?.Validate();
            options.Otlp?.Validate();
            ArgumentOutOfRangeException.ThrowIfLessThan(options.ProcessCacheSize, 1, "--process-cache");
            options.Store?.Validate();
            options.JsonLines?.Validate();
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
            await Console.Error.WriteLineAsync($"vigil run: {explain(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        using ILoggerFactory logs = Logging.Create(level);
        var stopping = new Stopwatch();
        int exit = await RunAgentAsync(options, formatter, level, logs, startup, stopping, cancel).ConfigureAwait(false);
        if (stopping.IsRunning)
        {
            logs.CreateLogger("vigil").LogInformation("stopped in {Milliseconds} ms", stopping.ElapsedMilliseconds);
        }
        return exit;
    }

    /// <summary>Runs the agent until <paramref name="cancel"/>; <paramref name="stopping"/> starts when it is cancelled and runs on through every disposal.</summary>
    private static async Task<int> RunAgentAsync(AgentOptions options, IRecordFormatter formatter, LogLevel level, ILoggerFactory logs, PhaseTimings startup, Stopwatch stopping, CancellationToken cancel)
    {
        ILogger log = logs.CreateLogger("vigil");
        foreach (string failure in SystemMounts.EnsureMounted())
        {
            log.LogWarning("could not mount {Failure}", failure);
        }
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        await using var sink = new RecordOutput(formatter, stdout, options.OutputQueue);
        var sinks = new List<IConclusionSink> { sink, new EventMetrics() };
        await using StoreSink? storeSink = OpenStore(options.Store, log);
        startup.Mark("store");
        if (storeSink is not null)
        {
            sinks.Add(storeSink);
        }
        await using JsonLinesFileSink? jsonlSink = OpenJsonLines(options.JsonLines, log);
        if (jsonlSink is not null)
        {
            sinks.Add(jsonlSink);
        }
        await using ApiServer? api = options.Api.Enabled ? new ApiServer(options.Api, options.Store?.Path) : null;
        sinks.AddRange(api?.Sinks ?? []);
        await using FleetHost? fleet = options.Fleet is null ? null : new FleetHost(options.Fleet, logs);
        if (fleet is not null)
        {
            sinks.Add(fleet.Sink);
            sinks.Add(fleet.Watch);
        }
        await using OtlpSink? otlp = options.Otlp is null ? null : new OtlpSink(options.Otlp);
        if (otlp is not null)
        {
            sinks.Add(otlp);
        }
        startup.Mark("outputs");
        await using var agent = new NodeAgent(options, new ConclusionFanout(sinks), logs);
        startup.Mark("rules");
        int running = agent.Start(startup);
        fleet?.Attach(agent);
        using var metrics = new AgentMetrics(agent, sinks, log);
        using PrometheusMirror? otlpMetrics = otlp is null ? null : new PrometheusMirror([.. AgentMetrics.Collectors, .. EventMetrics.Collectors], metrics.Refresh);
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
        if (api is not null)
        {
            await api.StartAsync(agent, sinks, fleet?.Status, level, log).ConfigureAwait(false);
            startup.Mark("api");
        }
        log.LogInformation("vigil running: {Running}/{Total} sensors, {Processes} processes known, {Rules} rules active, {Sequences} sequences, {Policies} policies from {PolicyDirectory}; Ctrl-C stops",
            running, agent.Sensors.Count, agent.Processes.Count, agent.Rules.Count(RuleState.Active), agent.Sequences.Count,
            agent.Policies?.Policies.Count ?? 0, options.PolicyDirectory);
        log.LogInformation("ready {Milliseconds} ms after the process started: {Phases}", startup.TotalMilliseconds, startup);

        try
        {
            await Task.Delay(Timeout.Infinite, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stopping.Start();
            log.LogInformation("stopping: detaching programs");
        }
        log.LogInformation("kernel drops {KernelDrops}, evaluation drops {EvaluationDrops}, correlation drops {CorrelationDrops}, output drops {OutputDrops}, cache evictions {Evictions}",
            agent.KernelDrops, agent.Analysis.EvaluationDrops, agent.Analysis.CorrelationDrops, sink.Dropped, agent.Processes.Evictions);
        foreach (JudgingSensor judging in agent.Sensors.OfType<JudgingSensor>().Where(s => s.Tables is not null))
        {
            log.LogInformation("sensor {Sensor}: {Unmatched} events judged and dropped in the kernel, {Thinned} held back by overload sampling",
                judging.Name, judging.Tables!.Unmatched, judging.Tables.OverloadThinned);
        }
        if (storeSink is not null)
        {
            log.LogInformation("store {Path}: {Written} records written, {Dropped} dropped (queue full), {Failed} failed to write, {Deleted} deleted by retention",
                storeSink.Store.Path, storeSink.Store.Written, storeSink.Dropped, storeSink.Failed, storeSink.Store.Deleted);
        }
        if (jsonlSink is not null)
        {
            log.LogInformation("jsonl {Path}: {Rotations} files rotated, {Dropped} records dropped (queue full), {Failed} failed to write",
                jsonlSink.Path, jsonlSink.Rotations, jsonlSink.Dropped, jsonlSink.Failed);
        }
        if (fleet is not null)
        {
            log.LogInformation("fleet: {Published} messages published, {Spooled} spooled ({Waiting} still waiting), {Overflow} lost to a full spool, {Refused} refused by the server, {Dropped} dropped (queue full)",
                fleet.Publisher.Published, fleet.Publisher.Spooled, fleet.Publisher.SpoolDepth, fleet.Publisher.Overflow, fleet.Publisher.Refused, fleet.Sink.Dropped);
        }
        if (otlp is not null)
        {
            log.LogInformation("otlp {Endpoint}: {Dropped} records dropped (queue full), {Unflushed} not exported within the timeout",
                options.Otlp!.Endpoint, otlp.Dropped, otlp.Failed);
        }
        if (agent.Mitigation is { } mitigation)
        {
            log.LogInformation("xdp auto-mitigation: {Bans} bans installed, {Corrupt} corrupt samples; the guard stays attached",
                mitigation.BansInstalled, mitigation.CorruptSamples);
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Opens the edge store and says what an unclean stop of the previous run may have cost. Null when
    /// disabled or when it cannot open: like a degraded sensor, that is reported and the rest runs.
    /// </summary>
    private static StoreSink? OpenStore(StoreOptions? options, ILogger log)
    {
        if (options is null)
        {
            return null;
        }
        try
        {
            EdgeStore store = EdgeStore.Open(options);
            if (store.SetAside is { } aside)
            {
                log.LogWarning("store {Path}: it was written by an older vigil (another schema), moved to {Aside}; a new store starts", store.Path, aside);
            }
            if (store.UncleanStop is { } run)
            {
                log.LogWarning("store {Path}: the previous run (started {Started:u}) stopped without closing the store; at its last commit ({LastCommit:u}) {Backlog} records were still queued and are lost, with any accepted after that commit",
                    store.Path, run.Started, run.LastCommit ?? run.Started, run.Backlog);
            }
            return new StoreSink(store, options);
        }
        catch (Exception ex) when (ex is StoreException or IOException or UnauthorizedAccessException)
        {
            log.LogError("running without the edge store: {Reason}", ex.Message);
            return null;
        }
    }

    /// <summary>Opens the JSON lines file sink; like the store, one that cannot start is reported and the rest runs.</summary>
    private static JsonLinesFileSink? OpenJsonLines(JsonLinesFileOptions? options, ILogger log)
    {
        if (options is null)
        {
            return null;
        }
        try
        {
            return new JsonLinesFileSink(options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogError("running without the JSON lines file {Path}: {Reason}", options.Path, ex.Message);
            return null;
        }
    }
}
