using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Vigil.Tests.Support;

/// <summary>
/// A real `vigil run` with its local API on a free loopback port, a token file and an edge store of its own;
/// clients with the right token, a wrong one and none. Disposing stops the agent and removes the
/// token file, pass or fail.
/// </summary>
public sealed partial class ApiAgent : IDisposable
{
    private readonly string _directory;

    /// <summary>Starts the agent; <c>--store none</c> among <paramref name="extraArgs"/> runs it without a store.</summary>
    public ApiAgent(params string[] extraArgs)
    {
        KernelRequirement.Check();
        _directory = Directory.CreateTempSubdirectory("vigil-api-").FullName;
        TokenFile = Path.Combine(_directory, "api-token");
        string[] store = extraArgs.Contains("--store") ? [] : ["--store", Path.Combine(_directory, "vigil.db")];
        Process = new CliProcess(["run", "--api-listen", "127.0.0.1:0", "--api-token-file", TokenFile, .. store, .. extraArgs]);
        try
        {
            Process.WaitUntilRunning();
            Match listening = ListeningOn().Match(Process.Stderr);
            Assert.True(listening.Success, "the agent did not say where its API listens:\n" + Process.Stderr);
            BaseAddress = new Uri(listening.Groups[1].Value);
            Token = File.ReadAllText(TokenFile).Trim();
            Client = NewClient(Token);
            Anonymous = NewClient(null);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public CliProcess Process { get; }

    public string TokenFile { get; }

    public string Token { get; } = "";

    public Uri BaseAddress { get; } = new("http://127.0.0.1/");

    /// <summary>Sends the agent's token.</summary>
    public HttpClient Client { get; } = new();

    /// <summary>Sends no token.</summary>
    public HttpClient Anonymous { get; } = new();

    /// <summary>A client sending <paramref name="token"/> (null: no Authorization header).</summary>
    public HttpClient NewClient(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public void Dispose()
    {
        Client.Dispose();
        Anonymous.Dispose();
        Process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [GeneratedRegex(@"api listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
