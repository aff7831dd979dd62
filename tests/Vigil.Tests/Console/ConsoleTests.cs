using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Vigil.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.Console;

/// <summary>The web console end to end: a real agent, real HTTP, Debian's headless Chromium.</summary>
public sealed class ConsoleTests
{
    [Fact]
    public async Task The_live_page_shows_the_exec_of_a_process_the_test_runs_and_holds_events_while_paused()
    {
        using var agent = new ApiAgent();
        await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
        IPage page = browser.Page;
        await browser.SignInAsync(agent.Token);
        string marker = Children.Marker();
        await page.FillAsync("#filter-text", marker);
        await Expect(page.Locator("#stream-status")).ToHaveAttributeAsync("data-query", new Regex(marker));

        Children.Run("/bin/sh", "-c", "exit 0", marker);
        ILocator row = page.Locator(".vrow", new PageLocatorOptions { HasText = marker });
        await Expect(row.Filter(new LocatorFilterOptions { HasText = "exec" }).First).ToBeVisibleAsync();

        await page.ClickAsync("#pause");
        string held = marker + "-held";
        Children.Run("/bin/sh", "-c", "exit 0", held);
        await Expect(page.Locator("#event-stats")).ToContainTextAsync("held while paused");
        await Expect(page.Locator(".vrow", new PageLocatorOptions { HasText = held })).ToHaveCountAsync(0);
        await page.ClickAsync("#pause");
        await Expect(page.Locator(".vrow", new PageLocatorOptions { HasText = held }).First).ToBeVisibleAsync();

        // Unfiltered, for a picture of a busy node.
        await page.FillAsync("#filter-text", "");
        await Expect(page.Locator("#stream-status")).ToHaveAttributeAsync("data-query", "limit=500");
        Children.Run("/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do /bin/true; done");
        await Expect(page.Locator(".vrow").Nth(10)).ToBeVisibleAsync();
        await browser.ScreenshotAsync("events");

        await page.FillAsync("#filter-text", marker);
        await row.Filter(new LocatorFilterOptions { HasText = "exec" }).First.ClickAsync();
        await page.ClickAsync("#event-detail a");
        await Expect(page.Locator("#process-facts")).ToContainTextAsync(marker);
        await Expect(page.Locator("#process-events")).ToContainTextAsync("process.exec");
        await browser.ScreenshotAsync("process");
    }

    [Fact]
    public async Task At_thousands_of_events_per_second_the_list_keeps_only_visible_rows_and_the_page_responds()
    {
        using var agent = new ApiAgent();
        await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
        IPage page = browser.Page;
        await browser.SignInAsync(agent.Token);
        await Expect(page.Locator("#stream-status")).ToHaveAttributeAsync("data-query", "limit=500");

        // About 3,000 processes in a few seconds: exec, fork and exit each, well over 1,000 events/s.
        using Process burst = Children.Start("/bin/sh", "-c", "i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done");
        await Expect(page.Locator("#event-stats")).ToContainTextAsync(new Regex(@"[1-9],\d{3} events/s"), new LocatorAssertionsToContainTextOptions { Timeout = 20_000 });
        Assert.InRange(await page.Locator("#event-list .vrow").CountAsync(), 1, 100);
        await page.ClickAsync("#pause", new PageClickOptions { Timeout = 2_000 });
        await Expect(page.Locator("#pause")).ToHaveTextAsync("Resume", new LocatorAssertionsToHaveTextOptions { Timeout = 2_000 });
        burst.WaitForExit();
        await page.ClickAsync("#pause", new PageClickOptions { Timeout = 2_000 });
        await Expect(page.Locator("#event-stats")).ToContainTextAsync(new Regex(@"\d{1,2},\d{3} shown"));
        Assert.InRange(await page.Locator("#event-list .vrow").CountAsync(), 1, 100);
    }

    [Fact]
    public async Task The_process_tree_shows_a_containers_processes_on_their_own()
    {
        const string id = "5f0c2b7e9a1d4c3b8e6f0a2d9c7b5e3f1a4d6c8b0e2f4a6c8d0b2e4f6a8c0d2e";
        using var agent = new ApiAgent();
        using var cgroup = new TestCgroup($"system.slice/docker-{id}.scope");
        string marker = Children.Marker();
        using Process workload = Children.Start("/bin/sh", "-c", $"{cgroup.Enter}exec /bin/sh -c 'sleep 60 & sleep 61 & wait' {marker}");
        try
        {
            await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
            IPage page = browser.Page;
            await browser.SignInAsync(agent.Token, "#/processes");
            ILocator container = page.Locator($"#containers button[data-container='{id[..12]}']");
            for (int i = 0; i < 50 && await page.Locator("#process-tree").GetByText("sleep 61").CountAsync() == 0; i++)
            {
                await page.ClickAsync("text=Refresh");
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
            await container.ClickAsync();
            ILocator tree = page.Locator("#process-tree");
            await Expect(tree).ToContainTextAsync(marker);
            await Expect(tree).ToContainTextAsync("sleep 60");
            await Expect(tree).ToContainTextAsync("sleep 61");
            await Expect(tree).Not.ToContainTextAsync("Vigil.Tests");
            await browser.ScreenshotAsync("processes");
            await container.ClickAsync();
            await Expect(tree).ToContainTextAsync("Vigil.Tests");
        }
        finally
        {
            workload.Kill(entireProcessTree: true);
            workload.WaitForExit();
        }
    }

    [Fact]
    public async Task A_shell_that_fires_rules_opens_an_incident_whose_page_draws_the_causal_chain()
    {
        string marker = Children.Marker();
        string rules = Path.Combine(Path.GetTempPath(), $"{marker}.yaml");
        File.WriteAllText(rules, $"""
            - rule: Test shell started with the marker
              desc: the test's shell, a stand-in for a shell spawned by a compromised server
              condition: evt.type = execve and proc.name = sh and proc.cmdline contains "{marker}"
              output: marked shell started (command=%proc.cmdline)
              priority: WARNING
            - rule: Test reconnaissance from the marked shell
              desc: the marked shell ran id, as an intruder's first look around
              condition: evt.type = execve and proc.name = id and proc.pcmdline contains "{marker}"
              output: id run from the marked shell (parent=%proc.pcmdline)
              priority: CRITICAL
            """);
        try
        {
            using var agent = new ApiAgent("--rules", rules);
            await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
            IPage page = browser.Page;
            await browser.SignInAsync(agent.Token, "#/incidents");

            Children.Run("/bin/sh", "-c", "/usr/bin/id >/dev/null; exit 0", marker);
            ILocator link = page.Locator("#incident-list a", new PageLocatorOptions { HasText = "Test" });
            await Expect(link.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
            await browser.ScreenshotAsync("incidents");

            await link.First.ClickAsync();
            await Expect(page.Locator("#incident-summary")).ToContainTextAsync("Root cause: Test shell started with the marker");
            await Expect(page.Locator("#incident-confidence")).ToHaveTextAsync(new Regex(@"^0\.\d\d$"));
            ILocator nodes = page.Locator("#causal-graph a.node-link");
            await Expect(nodes.Filter(new LocatorFilterOptions { HasText = "Test reconnaissance" })).ToHaveCountAsync(1);
            await Expect(page.Locator("#causal-graph .edge")).Not.ToHaveCountAsync(0);
            await Expect(page.Locator("#incident-missing")).ToBeVisibleAsync();
            await browser.ScreenshotAsync("incident");

            // A node links to its evidence: the process that fired the rule.
            await nodes.Filter(new LocatorFilterOptions { HasText = "Test reconnaissance" }).ClickAsync();
            await Expect(page.Locator("#process-facts")).ToContainTextAsync("/usr/bin/id");
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public async Task Blocking_from_the_xdp_page_shows_in_vigil_xdp_rules_and_unblocking_lifts_it()
    {
        using var net = new TestNetwork();
        net.VigilOk("xdp", "attach", net.Server);
        string ruleSet = Path.Combine(Path.GetTempPath(), $"{net.Server}-guard.yaml");
        File.WriteAllText(ruleSet, """
            mode: enforce
            default: pass
            sample-every: 1
            rules:
              - name: ping-limit
                protocol: icmp
                icmp-type: echo-request
                action: limit
                rate: 1000
            """);
        try
        {
            net.VigilOk("xdp", "apply", ruleSet);
        }
        finally
        {
            File.Delete(ruleSet);
        }
        using var agent = new ApiAgent("--pin-root", net.PinRoot);
        await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
        IPage page = browser.Page;
        await browser.SignInAsync(agent.Token, "#/xdp");
        await Expect(page.Locator("#xdp-rules")).ToContainTextAsync("ping-limit");
        for (int i = 0; i < 30; i++)
        {
            Assert.True(net.Ping(net.ServerV4), "the guard dropped a ping under its limit");
        }
        await Expect(page.Locator("#xdp-rules")).ToContainTextAsync(new Regex(@"[1-9]\d* packets"));

        await page.FillAsync("#block-cidr", net.Subnet24);
        await page.FillAsync("#block-ttl", "600");
        await page.ClickAsync("#block-form button[type=submit]");
        ILocator ban = page.Locator($"#bans tr[data-cidr='{net.Subnet24}']");
        await Expect(ban).ToContainTextAsync("operator");
        await Expect(ban.Locator(".ttl")).ToContainTextAsync(new Regex(@"^(9|10)m \d+s left$"));
        Assert.Matches($@"  {Regex.Escape(net.Subnet24)} \(operator, \d+s left\)", net.VigilOk("xdp", "rules"));
        Assert.False(net.Ping(net.ServerV4), "the blocked network still got an answer");
        await browser.ScreenshotAsync("xdp");

        await ban.Locator("button").ClickAsync();
        await Expect(ban).ToHaveCountAsync(0);
        Assert.Contains("bans (0):", net.VigilOk("xdp", "rules"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_token_the_console_asks_for_it_and_the_api_refuses_requests()
    {
        using var agent = new ApiAgent();
        await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
        IPage page = browser.Page;
        await page.GotoAsync("/#/events");
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await page.FillAsync("#token", new string('f', 64));
        await page.ClickAsync("#login-form button[type=submit]");
        await Expect(page.Locator("#login-error")).ToHaveTextAsync("The agent refused this token.");

        int status = await page.EvaluateAsync<int>("async () => (await fetch('/api/events')).status");
        Assert.Equal(401, status);
        int wrong = await page.EvaluateAsync<int>("async () => (await fetch('/api/processes', { headers: { Authorization: 'Bearer nope' } })).status");
        Assert.Equal(401, wrong);

        await page.FillAsync("#token", agent.Token);
        await page.ClickAsync("#login-form button[type=submit]");
        await browser.GoAsync("#/health");
        await Expect(page.Locator("#sensors")).ToContainTextAsync("running");
        await Expect(page.Locator("#drops")).ToContainTextAsync("kernel ring buffer");
    }

    [Fact]
    public async Task In_a_fleet_the_health_page_lists_the_nodes_from_their_heartbeats()
    {
        using var nats = new NatsServer();
        string spool = Directory.CreateTempSubdirectory("vigil-console-fleet-").FullName;
        try
        {
            using var agent = new ApiAgent("--nats", nats.Url, "--cluster", "console" + Guid.NewGuid().ToString("N")[..6], "--node", "node-console",
                "--fleet-heartbeat", "1s", "--fleet-spool", spool);
            await using ConsoleBrowser browser = await ConsoleBrowser.OpenAsync(agent);
            IPage page = browser.Page;
            await browser.SignInAsync(agent.Token, "#/health");
            ILocator node = page.Locator("#fleet tr", new PageLocatorOptions { HasText = "node-console" });
            await Expect(node).ToContainTextAsync("ok");
            await Expect(node).ToContainTextAsync("process running");
            await Expect(page.Locator("#sensors")).ToContainTextAsync("running");
            // BPF program CPU and ring fill come from the agent's own /metrics.
            await Expect(page.Locator("#bpf-programs")).ToContainTextAsync("handle_exec");
            await Expect(page.Locator("#rings")).ToContainTextAsync("process_events");
            await browser.ScreenshotAsync("health");
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }
}
