using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Vigil.Tests.Support;

namespace Vigil.Tests.Api;

/// <summary>The local API of a real agent process, over real HTTP.</summary>
public sealed class ApiTests
{
    [Fact]
    public async Task Without_the_token_or_with_a_wrong_one_every_route_but_health_is_401_and_nothing_changes()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        net.VigilOk("xdp", "block", net.Subnet24);
        using var agent = new ApiAgent("--pin-root", net.PinRoot);
        using HttpClient wrong = agent.NewClient(new string('0', agent.Token.Length));
        string otherNetwork = $"{net.ClientV6Other}/128";

        foreach (HttpClient client in new[] { agent.Anonymous, wrong })
        {
            foreach (string route in new[] { "/api/events", "/api/events/stream", "/api/processes", "/api/incidents", "/api/detections", "/api/xdp", "/api/config" })
            {
                using HttpResponseMessage get = await client.GetAsync(new Uri(route, UriKind.Relative), TestContext.Current.CancellationToken);
                Assert.True(get.StatusCode == HttpStatusCode.Unauthorized, $"GET {route} answered {get.StatusCode}");
            }
            using HttpResponseMessage block = await client.PostAsJsonAsync(new Uri("/api/xdp/blocks", UriKind.Relative), new { cidr = otherNetwork, ttl_seconds = 600 }, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, block.StatusCode);
            using HttpResponseMessage unblock = await client.DeleteAsync(new Uri("/api/xdp/blocks/" + Uri.EscapeDataString(net.Subnet24), UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, unblock.StatusCode);
        }

        string rules = net.VigilOk("xdp", "rules");
        Assert.Contains($"  {net.Subnet24} (operator, until unblocked)", rules, StringComparison.Ordinal);
        Assert.DoesNotContain(otherNetwork, rules, StringComparison.Ordinal);
        Assert.Contains("bans (1):", rules, StringComparison.Ordinal);

        using HttpResponseMessage health = await agent.Anonymous.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("running", body.RootElement.GetProperty("sensors")[0].GetProperty("state").GetString());
    }

    [Fact]
    public void The_token_file_is_created_once_with_mode_0600_and_reused()
    {
        string first;
        string file;
        using (var agent = new ApiAgent())
        {
            file = agent.TokenFile;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            first = agent.Token;
            Assert.True(first.Length >= 32, $"token '{first}' is short");
            agent.Process.Signal(15);
            Assert.Equal(0, agent.Process.WaitForExit(TimeSpan.FromSeconds(15)));
            // A second agent on the same file keeps the token.
            using var again = new CliProcess(["run", "--api-listen", "127.0.0.1:0", "--api-token-file", file]);
            again.WaitUntilRunning();
            Assert.Equal(first, File.ReadAllText(file).Trim());
        }
    }

    [Fact]
    public async Task A_block_through_the_api_shows_in_xdp_rules_and_an_unblock_lifts_it()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        using var agent = new ApiAgent("--pin-root", net.PinRoot);
        CancellationToken cancel = TestContext.Current.CancellationToken;

        using HttpResponseMessage block = await agent.Client.PostAsJsonAsync(new Uri("/api/xdp/blocks", UriKind.Relative), new { cidr = net.Subnet24, ttl_seconds = 600 }, cancel);
        Assert.Equal(HttpStatusCode.Created, block.StatusCode);
        Assert.Matches($@"  {Regex(net.Subnet24)} \(operator, (599|600)s left\)", net.VigilOk("xdp", "rules"));
        Assert.False(net.Ping(net.ServerV4), "a blocked source still got an answer");

        using JsonDocument state = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri("/api/xdp", UriKind.Relative), cancel));
        JsonElement ban = Assert.Single(state.RootElement.GetProperty("bans").EnumerateArray());
        Assert.Equal(net.Subnet24, ban.GetProperty("cidr").GetString());
        Assert.InRange(ban.GetProperty("ttl_seconds").GetDouble(), 590, 600);
        Assert.Equal(net.Server, Assert.Single(state.RootElement.GetProperty("interfaces").EnumerateArray()).GetString()!.Split(' ')[0]);

        using HttpResponseMessage bad = await agent.Client.PostAsJsonAsync(new Uri("/api/xdp/blocks", UriKind.Relative), new { cidr = "10.0.0.1/8" }, cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("host bits", await bad.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);

        using HttpResponseMessage unblock = await agent.Client.DeleteAsync(new Uri("/api/xdp/blocks/" + Uri.EscapeDataString(net.Subnet24), UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.NoContent, unblock.StatusCode);
        Assert.Contains("bans (0):", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);
        Assert.True(net.Ping(net.ServerV4), "the source is still dropped after the unblock");
        using HttpResponseMessage again = await agent.Client.DeleteAsync(new Uri("/api/xdp/blocks/" + Uri.EscapeDataString(net.Subnet24), UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public void The_cli_blocks_and_unblocks_through_the_running_agent_that_owns_the_guard()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        using var agent = new ApiAgent("--pin-root", net.PinRoot);
        string[] viaAgent = ["--pin-root", net.PinRoot, "--api-url", agent.BaseAddress.ToString(), "--api-token-file", agent.TokenFile];

        (int code, string stdout, string stderr) = CliProcess.Run(["xdp", "block", net.Subnet24, "--ttl", "10m", .. viaAgent]);
        Assert.True(code == 0, stderr);
        Assert.Contains($"blocked {net.Subnet24} for 00:10:00 (through the running agent at {agent.BaseAddress})", stdout, StringComparison.Ordinal);
        Assert.Contains($"api: blocked {net.Subnet24} for 00:10:00", agent.Process.Stderr, StringComparison.Ordinal);
        Assert.Contains($"  {net.Subnet24} (operator, ", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);

        (code, stdout, stderr) = CliProcess.Run(["xdp", "unblock", net.Subnet24, .. viaAgent]);
        Assert.True(code == 0, stderr);
        Assert.Contains("through the running agent", stdout, StringComparison.Ordinal);
        Assert.Contains("bans (0):", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);
        (code, _, stderr) = CliProcess.Run(["xdp", "unblock", net.Subnet24, .. viaAgent]);
        Assert.Equal(1, code);
        Assert.Contains("is not blocked", stderr, StringComparison.Ordinal);

        // Without the agent's token the CLI cannot use its API: it works on the pins directly.
        (code, stdout, stderr) = CliProcess.Run(["xdp", "block", net.Subnet24, "--pin-root", net.PinRoot, "--api-url", agent.BaseAddress.ToString(), "--api-token-file", "/nonexistent"]);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("through the running agent", stdout, StringComparison.Ordinal);
        Assert.Contains("bans (1):", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_live_stream_delivers_an_exec_the_test_runs_and_filters_on_the_server()
    {
        using var agent = new ApiAgent();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string marker = Children.Marker();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events/stream?type=exec&proc=sh&text={marker}");
        using HttpResponseMessage response = await agent.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using Stream body = await response.Content.ReadAsStreamAsync(cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await using IAsyncEnumerator<SseItem<string>> items = SseParser.Create(body).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await items.MoveNextAsync(), "the stream ended before it was ready");
        Assert.Equal("ready", items.Current.EventType);

        Children.Run("/bin/true", marker); // proc is true, not sh: filtered out on the server
        Children.Run("/bin/sh", "-c", "exit 0", marker);

        while (await items.MoveNextAsync())
        {
            SseItem<string> item = items.Current;
            using JsonDocument e = JsonDocument.Parse(item.Data);
            Assert.Equal("event", item.EventType);
            Assert.Equal("process.exec", e.RootElement.GetProperty("event.name").GetString());
            Assert.Equal("/bin/sh", e.RootElement.GetProperty("process.executable.path").GetString());
            Assert.Equal(marker, e.RootElement.GetProperty("process.command_args")[3].GetString());
            return;
        }
        Assert.Fail("the stream ended without the exec");
    }

    [Theory]
    [InlineData("edge store")]
    [InlineData("memory")]
    public async Task Recent_events_are_filtered_and_a_process_page_has_its_events_and_children(string history)
    {
        using var agent = history == "memory" ? new ApiAgent("--store", "none") : new ApiAgent();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string marker = Children.Marker();
        Children.Run("/bin/sh", "-c", "/bin/true; exit 3", marker);

        JsonElement exec = await WaitForEvent(agent, $"/api/events?type=exec&proc=sh&text={marker}", cancel);
        string execId = exec.GetProperty("vigil.exec_id").GetString()!;
        using JsonDocument exits = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri($"/api/events?type=process.exit&text={execId}", UriKind.Relative), cancel));
        Assert.Contains(exits.RootElement.EnumerateArray(), e => e.GetProperty("process.exit.code").GetInt32() == 3);
        using JsonDocument none = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri($"/api/events?type=exec&proc=bash&text={marker}", UriKind.Relative), cancel));
        Assert.Empty(none.RootElement.EnumerateArray());
        using HttpResponseMessage badSince = await agent.Client.GetAsync(new Uri("/api/events?since=yesterday", UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);

        using JsonDocument page = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri($"/api/processes/{execId}", UriKind.Relative), cancel));
        JsonElement root = page.RootElement;
        Assert.Equal(marker, root.GetProperty("process").GetProperty("process.command_line").GetString()!.Split(' ')[^1]);
        Assert.Contains(root.GetProperty("events").EnumerateArray(), e => e.GetProperty("event.name").GetString() == "process.exec");
        Assert.Contains(root.GetProperty("children").EnumerateArray(), c => c.GetProperty("process.executable.path").GetString() == "/bin/true");

        using JsonDocument tree = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri("/api/processes", UriKind.Relative), cancel));
        Assert.True(Contains(tree.RootElement.GetProperty("roots"), execId), $"{execId} is not in the process tree");
        Assert.Contains(tree.RootElement.GetProperty("containers").EnumerateArray(), c => c.GetProperty("container.id").GetString() == "host");
    }

    [Fact]
    public async Task Flows_come_from_the_edge_store_ranked_as_asked()
    {
        using var agent = new ApiAgent();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancel);
            using System.Net.Sockets.TcpClient accepted = await listener.AcceptTcpClientAsync(cancel);
            await client.GetStream().WriteAsync(new byte[5000], cancel);
            await accepted.GetStream().ReadExactlyAsync(new byte[5000], cancel);
        }

        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using JsonDocument flows = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri("/api/flows?top=50&by=recent", UriKind.Relative), cancel));
            JsonElement? sent = flows.RootElement.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(f =>
                f!.Value.GetProperty("network.peer.port").GetInt32() == port && f.Value.GetProperty("network.io.direction").GetString() == "transmit");
            if (sent is { } flow)
            {
                Assert.Equal(5000, flow.GetProperty("vigil.network.bytes_sent").GetInt64());
                Assert.Equal(1, flow.GetProperty("vigil.flow.connections").GetInt64());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "no flow to the test's listener within 15 s");
            await Task.Delay(200, cancel);
        }
        using HttpResponseMessage bad = await agent.Client.GetAsync(new Uri("/api/flows?by=loudest", UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static bool Contains(JsonElement nodes, string execId) =>
        nodes.EnumerateArray().Any(n => n.GetProperty("vigil.exec_id").GetString() == execId || Contains(n.GetProperty("children"), execId));

    private static async Task<JsonElement> WaitForEvent(ApiAgent agent, string query, CancellationToken cancel)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using JsonDocument found = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri(query, UriKind.Relative), cancel));
            if (found.RootElement.GetArrayLength() > 0)
            {
                return found.RootElement[0].Clone();
            }
            Assert.True(DateTime.UtcNow < deadline, $"nothing for {query} within 10 s");
            await Task.Delay(100, cancel);
        }
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
