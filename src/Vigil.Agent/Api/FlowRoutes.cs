using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Storage;

namespace Vigil.Agent.Api;

/// <summary>GET /api/flows?top=10&amp;by=bytes|sent|received|connections|recent: traffic per process and remote endpoint, from the edge store.</summary>
public static class FlowRoutes
{
    public static void Map(RouteGroupBuilder api, string storePath)
    {
        api.MapGet("/flows", (HttpRequest request) =>
        {
            string topText = request.Query["top"].FirstOrDefault() ?? "10";
            string byText = request.Query["by"].FirstOrDefault() ?? "bytes";
            if (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out int top) || top < 1 || top > EventFilter.MaxLimit)
            {
                return Results.BadRequest(new { error = $"top={topText} must be a number from 1 to {EventFilter.MaxLimit}" });
            }
            if (!Enum.TryParse(byText, ignoreCase: true, out StoredFlowOrder by) || !Enum.IsDefined(by))
            {
                return Results.BadRequest(new { error = $"by={byText} must be one of {string.Join(", ", Enum.GetNames<StoredFlowOrder>()).ToLowerInvariant()}" });
            }
            using EdgeStore store = EdgeStore.OpenReadOnly(storePath);
            return Results.Json(store.Flows(top, by));
        });
    }
}
