using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Guard;
using Vigil.Guard.Rules;

namespace Vigil.Agent.Api;

/// <summary>
/// How the CLI reaches a running agent: when an agent answers on its API with the token and owns
/// the same pinned guard state, mutations go through it (one control point, logged by the agent);
/// otherwise the CLI works on the pinned state directly.
/// </summary>
public sealed class AgentApiClient : IDisposable
{
    private readonly HttpClient _http;

    private AgentApiClient(HttpClient http)
    {
        _http = http;
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The running agent that owns <paramref name="guard"/>'s pins, or null when none answers.</summary>
    public static async Task<AgentApiClient?> ConnectAsync(Uri baseAddress, string tokenFile, GuardPaths guard)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(tokenFile).ConfigureAwait(false)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // no agent ever started here, or not ours to use
        }
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using JsonDocument config = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/config", UriKind.Relative)).ConfigureAwait(false));
            if (config.RootElement.GetProperty("guard").GetProperty("root").GetString() == guard.Root)
            {
                return new AgentApiClient(http);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            // No agent there (or not one that speaks this API): the direct path it is.
        }
        http.Dispose();
        return null;
    }

    /// <summary>Bans through the agent; throws <see cref="GuardException"/> with the agent's reason when it refuses.</summary>
    public async Task BlockAsync(Cidr cidr, TimeSpan? ttl)
    {
        using HttpResponseMessage response = await _http.PostAsJsonAsync(new Uri("/api/xdp/blocks", UriKind.Relative),
            new BlockRequest(cidr.ToString(), ttl?.TotalSeconds)).ConfigureAwait(false);
        await EnsureAsync(response).ConfigureAwait(false);
    }

    /// <summary>Lifts a ban through the agent; false when it was not banned.</summary>
    public async Task<bool> UnblockAsync(Cidr cidr)
    {
        using HttpResponseMessage response = await _http.DeleteAsync(new Uri("/api/xdp/blocks/" + Uri.EscapeDataString(cidr.ToString()), UriKind.Relative)).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureAsync(response).ConfigureAwait(false);
        return true;
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        string reason = body;
        try
        {
            using JsonDocument error = JsonDocument.Parse(body);
            reason = error.RootElement.GetProperty("error").GetString() ?? body;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not the API's error object: show the body as it came.
        }
        throw new GuardException($"the running agent refused ({(int)response.StatusCode}): {reason}");
    }

    public void Dispose() => _http.Dispose();
}
