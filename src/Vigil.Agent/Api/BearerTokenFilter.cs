using Microsoft.AspNetCore.Http;

namespace Vigil.Agent.Api;

/// <summary>Every /api route but health: without <c>Authorization: Bearer TOKEN</c> the answer is 401 and the route never runs.</summary>
public sealed class BearerTokenFilter(ApiToken token) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        if (token.Accepts(http.Request.Headers.Authorization))
        {
            return await next(context).ConfigureAwait(false);
        }
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(new { error = "missing or wrong bearer token (Authorization: Bearer TOKEN; the token is in the agent's --api-token-file)" },
            statusCode: StatusCodes.Status401Unauthorized);
    }
}
