using System.CommandLine;
using System.CommandLine.Parsing;
using OpenTelemetry.Exporter;
using Vigil.Agent.Otlp;

namespace Vigil.Agent.Commands;

/// <summary>The options of `vigil run` that export over OTLP; without --otlp-endpoint nothing is exported.</summary>
internal sealed class OtlpArguments
{
    private readonly Option<Uri?> _endpoint = new("--otlp-endpoint") { Description = "OpenTelemetry collector URL (http://HOST:4317 for grpc, http://HOST:4318 for http); exports detections, incidents and metrics", CustomParser = ParseUrl };
    private readonly Option<string> _protocol = new("--otlp-protocol") { Description = "OTLP transport: grpc or http (protobuf over HTTP)", DefaultValueFactory = _ => "grpc" };
    private readonly Option<bool> _events = new("--otlp-events") { Description = "Export every event as well, not only detections and incidents" };
    private readonly Option<TimeSpan?> _interval = new("--otlp-interval") { Description = "How often metrics are exported (default 60s)", CustomParser = Durations.Parse };

    public OtlpArguments() => _protocol.AcceptOnlyFromAmong("grpc", "http");

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _endpoint, _protocol, _events, _interval })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The exporter's settings, or null without --otlp-endpoint.</summary>
    public OtlpOptions? Read(ParseResult result) => result.GetValue(_endpoint) is not { } endpoint ? null : new OtlpOptions
    {
        Endpoint = endpoint,
        Protocol = result.GetValue(_protocol) == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
        Events = result.GetValue(_events),
        MetricInterval = result.GetValue(_interval) ?? new OtlpOptions { Endpoint = endpoint }.MetricInterval,
    };

    private static Uri? ParseUrl(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https")
        {
            return url;
        }
        result.AddError($"'{text}' is not an http:// or https:// URL (e.g. http://127.0.0.1:4317)");
        return null;
    }
}
