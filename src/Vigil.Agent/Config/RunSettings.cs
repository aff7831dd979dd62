using Vigil.Agent.Api;
using Vigil.Agent.Host;
using Vigil.Agent.Otlp;
using Vigil.Agent.Output;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Storage;

namespace Vigil.Agent.Config;

/// <summary>One setting of <c>vigil run</c>: its key in the configuration file (and VIGIL_ variable), the flag it stands for, and its default when the flag has none.</summary>
public sealed record RunSetting(string Key, string Flag, Func<string?>? Default = null, bool List = false)
{
    /// <summary>The key as Microsoft.Extensions.Configuration spells it (sections joined by ':').</summary>
    public string Path => Key.Replace('.', ':');

    /// <summary>The environment variable that sets it.</summary>
    public string Variable => "VIGIL_" + Key.Replace(".", "__", StringComparison.Ordinal).ToUpperInvariant();
}

/// <summary>Every setting of <c>vigil run</c>, by key; a flag of <c>vigil run</c> without a key here cannot be configured (a test checks there is none).</summary>
public static class RunSettings
{
    public static IReadOnlyList<RunSetting> All { get; } =
    [
        new("output.format", "--output"),
        new("log.verbose", "--verbose"),
        new("sensors.args_budget", "--args-budget"),
        new("sensors.process_cache", "--process-cache"),
        new("rules.files", "--rules", List: true),
        new("rules.sequences", "--sequences", List: true),
        new("policies.directory", "--policies", () => new AgentOptions().PolicyDirectory),
        new("xdp.pin_root", "--pin-root", () => GuardPaths.DefaultRoot),
        new("xdp.ban_threshold", "--xdp-ban-threshold"),
        new("xdp.ban_ttl", "--xdp-ban-ttl", () => Text.Duration(new MitigationOptions().BanTtl)),
        new("store.path", "--store"),
        new("store.retention", "--store-retention", () => Text.Duration(new StoreOptions().Retention)),
        new("store.max_size", "--store-max-size", () => Text.Size(new StoreOptions().MaxBytes)),
        new("store.queue", "--store-queue", () => Text.Number(new StoreOptions().QueueCapacity)),
        new("store.batch", "--store-batch", () => Text.Number(new StoreOptions().BatchSize)),
        new("api.mode", "--api"),
        new("api.listen", "--api-listen", () => ApiOptions.DefaultListen.ToString()),
        new("api.socket", "--api-socket"),
        new("api.token_file", "--api-token-file"),
        new("api.tls_cert", "--api-tls-cert"),
        new("api.tls_key", "--api-tls-key"),
        new("api.network_reads", "--api-network-reads"),
        new("jsonl.path", "--jsonl"),
        new("jsonl.max_size", "--jsonl-max-size", () => Text.Size(new JsonLinesFileOptions { Path = "" }.MaxBytes)),
        new("jsonl.max_age", "--jsonl-max-age", () => Text.Duration(new JsonLinesFileOptions { Path = "" }.MaxAge)),
        new("jsonl.keep", "--jsonl-keep", () => Text.Number(new JsonLinesFileOptions { Path = "" }.Keep)),
        new("jsonl.events", "--jsonl-events"),
        new("jsonl.queue", "--jsonl-queue", () => Text.Number(new JsonLinesFileOptions { Path = "" }.QueueCapacity)),
        new("otlp.endpoint", "--otlp-endpoint"),
        new("otlp.protocol", "--otlp-protocol"),
        new("otlp.events", "--otlp-events"),
        new("otlp.interval", "--otlp-interval", () => Text.Duration(new OtlpOptions { Endpoint = new Uri("http://127.0.0.1:4317") }.MetricInterval)),
        new("fleet.nats", "--nats"),
        new("fleet.cluster", "--cluster"),
        new("fleet.node", "--node"),
        new("fleet.nats_creds", "--nats-creds"),
        new("fleet.nats_user", "--nats-user"),
        new("fleet.nats_password", "--nats-password"),
        new("fleet.nats_tls_ca", "--nats-tls-ca"),
        new("fleet.nats_tls_cert", "--nats-tls-cert"),
        new("fleet.nats_tls_key", "--nats-tls-key"),
        new("fleet.spool", "--fleet-spool"),
        new("fleet.spool_bytes", "--fleet-spool-bytes"),
        new("fleet.replicas", "--fleet-replicas"),
        new("fleet.heartbeat", "--fleet-heartbeat", () => Text.Duration(new Vigil.Fleet.FleetOptions { Url = "", Cluster = "", Node = "" }.HeartbeatInterval)),
        new("fleet.indicators", "--fleet-indicators"),
    ];

    /// <summary>The setting with this key (any case: environment variables are upper case); null when there is none.</summary>
    public static RunSetting? Find(string path) => All.FirstOrDefault(s => string.Equals(s.Path, path, StringComparison.OrdinalIgnoreCase));
}
