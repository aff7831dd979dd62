using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Vigil.Agent.Api;

/// <summary>GET /api/events (recent, filtered, newest first) and GET /api/events/stream (live, server-sent events).</summary>
public static class EventRoutes
{
    public static void Map(RouteGroupBuilder api, IHistory history, EventStream stream)
    {
        api.MapGet("/events", (HttpRequest request) => WithFilter(request, filter => ApiJson.Records(history.Events(filter))));

        api.MapGet("/events/stream", (HttpRequest request, CancellationToken cancel) => WithFilter(request, filter =>
            TypedResults.ServerSentEvents(stream.Subscribe(filter, cancel))));
    }

    private static IResult WithFilter(HttpRequest request, Func<EventFilter, IResult> respond)
    {
        try
        {
            return respond(EventFilter.Parse(request.Query, DateTime.UtcNow));
        }
        catch (FormatException ex)
        {
            return Results.BadRequest(new { error = ex.Message });
        }
    }
}
