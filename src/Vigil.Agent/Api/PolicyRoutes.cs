using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Vigil.Policy;

namespace Vigil.Agent.Api;

/// <summary>
/// GET /api/policies, GET /api/policies/{name}, PUT /api/policies/{name} (the policy file's YAML
/// as the body, docs/policies.md; <c>?source=FILE</c> names the file in problems and listings) and
/// DELETE /api/policies/{name}, through the agent's policy engine: a policy with any problem is
/// refused with every problem named, and nothing in force changes. The API owns the policies it
/// applied; one from the policy directory or the fleet is changed there.
/// </summary>
public static class PolicyRoutes
{
    public static void Map(RouteGroupBuilder api, Func<PolicyEngine?> engine, ILogger log)
    {
        api.MapGet("/policies", () => engine() is { } policies
            ? Results.Json(policies.Policies.Select(p => Describe(p, policies)))
            : NoEngine());

        api.MapGet("/policies/{name}", (string name) => engine() is not { } policies
            ? NoEngine()
            : policies.Policies.FirstOrDefault(p => p.Name == name) is { } policy
                ? Results.Json(Describe(policy, policies))
                : Results.NotFound(new { error = $"no policy {name} in force" }));

        api.MapPut("/policies/{name}", async (string name, string? source, HttpRequest request) =>
        {
            if (engine() is not { } policies)
            {
                return NoEngine();
            }
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            string yaml = await reader.ReadToEndAsync().ConfigureAwait(false);
            try
            {
                PolicyDocument policy = PolicyReader.Read(source ?? $"api:{name}", yaml);
                if (policy.Name != name)
                {
                    return Results.BadRequest(new { error = $"the body names policy '{policy.Name}', the URL '{name}'" });
                }
                bool replaced = policies.Policies.Any(p => p.Name == name);
                policies.Apply(policy, PolicyOrigin.Api);
                log.LogInformation("api: policy {Name} {Change}", name, replaced ? "replaced" : "applied");
                return replaced ? Results.Ok(Describe(policy, policies)) : Results.Created($"/api/policies/{Uri.EscapeDataString(name)}", Describe(policy, policies));
            }
            catch (PolicyException ex)
            {
                return Results.BadRequest(new { error = ex.Message, problems = ex.Problems.Select(p => p.ToString()) });
            }
        });

        api.MapDelete("/policies/{name}", (string name) =>
        {
            if (engine() is not { } policies)
            {
                return NoEngine();
            }
            if (!policies.Delete(name, PolicyOrigin.Api))
            {
                return policies.OriginOf(name) is { } origin
                    ? Results.Conflict(new { error = $"policy {name} comes from {OriginName(origin)}: remove it there" })
                    : Results.NotFound(new { error = $"no policy {name} in force" });
            }
            log.LogInformation("api: policy {Name} deleted", name);
            return Results.NoContent();
        });
    }

    private static IResult NoEngine() =>
        Results.Json(new { error = "no judging sensor runs on this node, so no policy can be in force" }, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static string OriginName(PolicyOrigin origin) => origin switch
    {
        PolicyOrigin.Directory => "the policy directory",
        PolicyOrigin.Fleet => "the fleet's policies bucket",
        _ => "the API",
    };

    private static object Describe(PolicyDocument p, PolicyEngine engine) => new
    {
        name = p.Name,
        origin = engine.OriginOf(p.Name)?.ToString().ToLowerInvariant(),
        mode = p.Mode.ToString().ToLowerInvariant(),
        description = p.Description,
        source = p.Location.File,
        rules = p.Rules.Select(r => new { name = r.Name, events = r.Events, action = r.Action.ToString().ToLowerInvariant() }),
    };
}
