using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Vigil.Guard;
using Vigil.Guard.Rules;

namespace Vigil.Agent.Api;

/// <summary>
/// How the CLI reaches a running agent: policies are changed only through it; when an agent answers
/// on its API with the token and owns the same pinned guard state, guard mutations go through it
/// too (one control point, logged by the agent); otherwise the CLI works on the pinned state directly.
/// </summary>
public sealed class AgentApiClient : IDisposable
{
    private readonly HttpClient _http;

    private AgentApiClient(HttpClient http)
    {
        _http = http;
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The running agent that answers at <paramref name="baseAddress"/> with the token of <paramref name="tokenFile"/>, or null.</summary>
    public static async Task<AgentApiClient?> ConnectAsync(Uri baseAddress, string tokenFile)
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
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var client = new AgentApiClient(http);
        if (await client.ConfigAsync().ConfigureAwait(false) is { } config)
        {
            config.Dispose();
            return client;
        }
        client.Dispose();
        return null;
    }

    /// <summary>The running agent that owns <paramref name="guard"/>'s pins, or null when none answers.</summary>
    public static async Task<AgentApiClient?> ConnectAsync(Uri baseAddress, string tokenFile, GuardPaths guard)
    {
        AgentApiClient? client = await ConnectAsync(baseAddress, tokenFile).ConfigureAwait(false);
        using JsonDocument? config = client is null ? null : await client.ConfigAsync().ConfigureAwait(false);
        try
        {
            if (config?.RootElement.GetProperty("guard").GetProperty("root").GetString() == guard.Root)
            {
                return client;
            }
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            // Not an agent that speaks this API: the direct path it is.
        }
        client?.Dispose();
        return null;
    }

    /// <summary>The agent's configuration; null when no agent (that speaks this API) answers.</summary>
    private async Task<JsonDocument?> ConfigAsync()
    {
        try
        {
            return JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/config", UriKind.Relative)).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The policies in force in the agent.</summary>
    public async Task<IReadOnlyList<PolicySummary>> PoliciesAsync()
    {
        using JsonDocument list = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/policies", UriKind.Relative)).ConfigureAwait(false));
        return [.. list.RootElement.EnumerateArray().Select(p => new PolicySummary(
            p.GetProperty("name").GetString()!,
            p.GetProperty("mode").GetString()!,
            p.GetProperty("origin").GetString() ?? "",
            p.GetProperty("source").GetString() ?? "",
            p.GetProperty("rules").GetArrayLength()))];
    }

    /// <summary>
    /// Puts a policy in force (the agent validates it as one set with those in force); true when it
    /// replaced one of the same name. Throws <see cref="AgentRefusedException"/> with every problem when refused.
    /// </summary>
    public async Task<bool> ApplyPolicyAsync(string name, string yaml, string source)
    {
        var uri = new Uri($"/api/policies/{Uri.EscapeDataString(name)}?source={Uri.EscapeDataString(source)}", UriKind.Relative);
        using var body = new StringContent(yaml, System.Text.Encoding.UTF8, "application/yaml");
        using HttpResponseMessage response = await _http.PutAsync(uri, body).ConfigureAwait(false);
        if (await RefusalAsync(response).ConfigureAwait(false) is { } refused)
        {
            throw refused;
        }
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Removes a policy the API put in force; false when none of that name is in force.</summary>
    public async Task<bool> DeletePolicyAsync(string name)
    {
        using HttpResponseMessage response = await _http.DeleteAsync(new Uri($"/api/policies/{Uri.EscapeDataString(name)}", UriKind.Relative)).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        if (await RefusalAsync(response).ConfigureAwait(false) is { } refused)
        {
            throw refused;
        }
        return true;
    }

    /// <summary>Bans through the agent; throws <see cref="GuardException"/> with the agent's reason when it refuses.</summary>
    public async Task BlockAsync(Cidr cidr, TimeSpan? ttl)
    {
        using HttpResponseMessage response = await _http.PostAsJsonAsync(new Uri("/api/xdp/blocks", UriKind.Relative),
            new BlockRequest(cidr.ToString(), ttl?.TotalSeconds)).ConfigureAwait(false);
        if (await RefusalAsync(response).ConfigureAwait(false) is { } refused)
        {
            throw new GuardException(refused.Message);
        }
    }

    /// <summary>Lifts a ban through the agent; false when it was not banned.</summary>
    public async Task<bool> UnblockAsync(Cidr cidr)
    {
        using HttpResponseMessage response = await _http.DeleteAsync(new Uri("/api/xdp/blocks/" + Uri.EscapeDataString(cidr.ToString()), UriKind.Relative)).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        if (await RefusalAsync(response).ConfigureAwait(false) is { } refused)
        {
            throw new GuardException(refused.Message);
        }
        return true;
    }

    /// <summary>Null for a success; otherwise the agent's reason, and its problems when it listed them.</summary>
    private static async Task<AgentRefusedException?> RefusalAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        string reason = body;
        List<string> problems = [];
        try
        {
            using JsonDocument error = JsonDocument.Parse(body);
            reason = error.RootElement.GetProperty("error").GetString() ?? body;
            if (error.RootElement.TryGetProperty("problems", out JsonElement listed))
            {
                problems.AddRange(listed.EnumerateArray().Select(p => p.GetString() ?? ""));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not the API's error object: show the body as it came.
        }
        return new AgentRefusedException($"the running agent refused ({(int)response.StatusCode}): {reason}", problems);
    }

    public void Dispose() => _http.Dispose();
}
