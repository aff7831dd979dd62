using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NATS.Client.Core;
using Vigil.Fleet;

namespace Vigil.Agent.Api;

/// <summary>GET /api/fleet: the fleet's nodes from their heartbeats (mapped only when the agent is in a fleet).</summary>
public static class FleetRoutes
{
    public static void Map(RouteGroupBuilder api, FleetStatus fleet)
    {
        api.MapGet("/fleet", async (CancellationToken cancel) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                IReadOnlyList<FleetNode> nodes = await fleet.NodesAsync(timeout.Token).ConfigureAwait(false);
                return Results.Json(nodes.Select(n => new
                {
                    node = n.Heartbeat.Node,
                    version = n.Heartbeat.Version,
                    health = n.Stale ? "stale" : n.Heartbeat.Health,
                    started = n.Heartbeat.Started,
                    last_seen = n.LastSeen,
                    sensors = n.Heartbeat.Sensors,
                    drops = n.Heartbeat.Drops,
                    rules_revision = n.Heartbeat.RulesRevision,
                }));
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException)
            {
                return Results.Json(new { error = $"cannot read the fleet's nodes: {ex.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }
}
