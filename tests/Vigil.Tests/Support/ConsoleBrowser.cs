using Microsoft.Playwright;

namespace Vigil.Tests.Support;

/// <summary>
/// Debian's headless Chromium (/usr/bin/chromium, installed by ./vigil) driven by Playwright,
/// on an agent's console. Playwright never downloads a browser here: it is always given the
/// executable. Disposing closes the browser and the driver, pass or fail.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public static async Task<ConsoleBrowser> OpenAsync(ApiAgent agent)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./vigil installs it (apt-get install chromium)");
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox"], // the tests run as root, where Chromium's sandbox refuses to start
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions
            {
                BaseURL = agent.BaseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = 1400, Height = 860 },
            });
            page.SetDefaultTimeout(15_000);
            return new ConsoleBrowser(playwright, browser, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens the console and signs in with <paramref name="token"/> through its form.</summary>
    public async Task SignInAsync(string token, string route = "#/events")
    {
        await Page.GotoAsync("/" + route);
        await Page.FillAsync("#token", token);
        await Page.ClickAsync("#login-form button[type=submit]");
        await Assertions.Expect(Page.Locator("#login")).Not.ToBeVisibleAsync();
    }

    public async Task GoAsync(string route)
    {
        await Page.EvaluateAsync("route => { location.hash = route; }", route);
    }

    /// <summary>Saves what the page shows as docs/console/NAME.png (referenced from docs/console.md).</summary>
    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Root, "docs", "console", name + ".png") });

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
