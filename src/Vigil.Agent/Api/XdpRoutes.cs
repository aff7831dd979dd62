using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Guard;
using Vigil.Guard.Mitigation;
using Vigil.Guard.Rules;

namespace Vigil.Agent.Api;

/// <summary>
/// GET /api/xdp (interfaces, mode, rules with packets/s, verdict counters, top sources, bans with
/// their TTL), POST /api/xdp/blocks {"cidr":..,"ttl_seconds":..}, DELETE /api/xdp/blocks/{cidr}
/// (the slash may be sent as %2F).
/// </summary>
public static class XdpRoutes
{
    public static void Map(RouteGroupBuilder api, XdpMonitor guard, Func<AutoMitigation?> mitigation, ILogger log)
    {
        api.MapGet("/xdp", () => Guarded(() => guard.View() is { } view
            ? ApiJson.Body(w => Write(w, view, mitigation()))
            : Results.Json(new { attached = false })));

        api.MapPost("/xdp/blocks", (BlockRequest request) => Guarded(() =>
        {
            Cidr cidr = Cidr.Parse(request.Cidr ?? throw new FormatException("cidr is required, e.g. {\"cidr\":\"203.0.113.0/24\"}"));
            TimeSpan? ttl = request.TtlSeconds is { } seconds
                ? seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new FormatException($"ttl_seconds {seconds} must be positive")
                : null;
            guard.Block(cidr, ttl);
            log.LogInformation("api: blocked {Cidr} {Lifetime}", cidr, ttl is { } t ? $"for {t}" : "until unblocked");
            return Results.Created($"/api/xdp/blocks/{Uri.EscapeDataString(cidr.ToString())}", new { cidr = cidr.ToString(), ttl_seconds = ttl?.TotalSeconds });
        }));

        api.MapDelete("/xdp/blocks/{**cidr}", (string cidr) => Guarded(() =>
        {
            Cidr network = Cidr.Parse(Uri.UnescapeDataString(cidr));
            if (!guard.Unblock(network))
            {
                return Results.NotFound(new { error = $"{network} is not blocked" });
            }
            log.LogInformation("api: unblocked {Cidr}", network);
            return Results.NoContent();
        }));
    }

    private static IResult Guarded(Func<IResult> body)
    {
        try
        {
            return body();
        }
        catch (FormatException ex)
        {
            return Results.BadRequest(new { error = ex.Message });
        }
        catch (Exception ex) when (ex is GuardException or BpfException)
        {
            return Results.Json(new { error = ex.Message }, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static void Write(Utf8JsonWriter w, XdpView view, AutoMitigation? mitigation)
    {
        GuardSnapshot s = view.Snapshot;
        DateTime now = DateTime.UtcNow;
        var rates = view.Counters.ToDictionary(c => c.Name, StringComparer.Ordinal);
        w.WriteStartObject();
        w.WriteBoolean("attached", true);
        w.WriteStartArray("interfaces");
        foreach (string iface in s.Interfaces)
        {
            w.WriteStringValue(iface);
        }
        w.WriteEndArray();
        w.WriteString("mode", s.Enforce ? "enforce" : "monitor");
        w.WriteString("default_action", s.DefaultAction.ToString().ToLowerInvariant());
        w.WriteNumber("sample_every", s.SampleEvery);
        w.WriteNumber("allow_prefixes", s.Allow.Count);
        w.WriteNumber("deny_prefixes", s.Deny.Count);
        w.WriteStartArray("rules");
        foreach (GuardRule rule in s.Rules)
        {
            w.WriteStartObject();
            w.WriteString("name", rule.Name);
            w.WriteString("action", rule.Action.ToString().ToLowerInvariant());
            w.WriteString("description", RuleText.Describe(rule));
            WriteRate(w, rates.GetValueOrDefault("rule " + rule.Name));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("counters");
        foreach (CounterRate counter in view.Counters.Where(c => !c.Name.StartsWith("rule ", StringComparison.Ordinal)))
        {
            w.WriteStartObject();
            w.WriteString("name", counter.Name);
            WriteRate(w, counter);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("top_sources");
        foreach ((Cidr source, double pps) in mitigation?.TopSources ?? [])
        {
            w.WriteStartObject();
            w.WriteString("cidr", source.ToString());
            w.WriteNumber("pps", Math.Round(pps, 1));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("bans");
        foreach (GuardBan ban in s.Bans.OrderBy(b => b.Cidr.ToString(), StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("cidr", ban.Cidr.ToString());
            w.WriteString("origin", ban.Automatic ? "auto" : "operator");
            if (ban.Expires is { } expires)
            {
                w.WriteString("expires", expires);
                w.WriteNumber("ttl_seconds", Math.Max(0, Math.Round((expires - now).TotalSeconds)));
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter w, CounterRate? rate)
    {
        w.WriteNumber("packets", rate?.Packets ?? 0);
        w.WriteNumber("dropped", rate?.Dropped ?? 0);
        w.WriteNumber("pps", rate?.Pps ?? 0);
        w.WriteStartArray("pps_history");
        foreach (double pps in rate?.PpsHistory ?? [])
        {
            w.WriteNumberValue(pps);
        }
        w.WriteEndArray();
    }
}

/// <summary>Body of POST /api/xdp/blocks.</summary>
public sealed record BlockRequest(
    [property: System.Text.Json.Serialization.JsonPropertyName("cidr")] string? Cidr,
    [property: System.Text.Json.Serialization.JsonPropertyName("ttl_seconds")] double? TtlSeconds);
