using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Agent.Host;

namespace Vigil.Agent.Api;

/// <summary>GET /api/config: the effective configuration of this agent (no secrets: the token is only named by its file).</summary>
public static class ConfigRoutes
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new EndPointText() },
    };

    public static void Map(RouteGroupBuilder api, AgentOptions options)
    {
        api.MapGet("/config", () => Results.Json(options, s_json));
    }

    /// <summary>Endpoints as "127.0.0.1:7878" (IPAddress has no JSON form of its own).</summary>
    private sealed class EndPointText : JsonConverter<IPEndPoint>
    {
        public override IPEndPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPEndPoint.Parse(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, IPEndPoint value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
