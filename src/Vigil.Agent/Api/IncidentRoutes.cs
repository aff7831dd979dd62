using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Vigil.Agent.Api;

/// <summary>GET /api/detections, GET /api/incidents (latest revision of each), GET /api/incidents/{id}.</summary>
public static class IncidentRoutes
{
    public const int MaxIncidents = 1000;

    public static void Map(RouteGroupBuilder api, IHistory history)
    {
        api.MapGet("/detections", (HttpRequest request) =>
        {
            string? text = request.Query["limit"];
            int limit = EventFilter.DefaultLimit;
            if (text is not null && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            {
                return Results.BadRequest(new { error = $"limit={text} must be a positive number" });
            }
            return ApiJson.Records(history.Detections(limit));
        });

        api.MapGet("/incidents", () => ApiJson.Records(history.Incidents(MaxIncidents)));

        api.MapGet("/incidents/{id}", (string id) => history.Incident(id) is { } incident
            ? ApiJson.Body(w => ApiJson.Raw(w, incident))
            : Results.NotFound(new { error = $"no incident {id}" }));
    }
}
