using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Vigil.Agent.Host;
using Vigil.Agent.Pipeline;
using Vigil.Fleet;
using Vigil.Guard;
using Vigil.Storage;

namespace Vigil.Agent.Api;

/// <summary>
/// The local API, the console and /metrics, hosted in <c>vigil run</c> (ASP.NET Core minimal
/// APIs on Kestrel). Its two sinks (recent activity, live stream) join the pipeline before the
/// agent starts; the server binds once the agent runs. A server that cannot bind is reported and
/// the agent keeps running without it.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly ApiOptions _options;
    private WebApplication? _app;
    private XdpMonitor? _xdp;

    private readonly RecentActivity? _recent;
    private readonly string? _storePath;

    /// <summary>History comes from the edge store at <paramref name="storePath"/>, or, without one, from memory.</summary>
    public ApiServer(ApiOptions options, string? storePath)
    {
        _options = options;
        _storePath = storePath;
        _recent = storePath is null ? new RecentActivity(options.RecentEvents) : null;
        History = storePath is null ? _recent! : new StoredHistory(storePath);
        Stream = new EventStream();
    }

    public IHistory History { get; }

    public EventStream Stream { get; }

    /// <summary>The sinks to add to the agent's fanout.</summary>
    public IReadOnlyList<IConclusionSink> Sinks => _recent is null ? [Stream] : [_recent, Stream];

    /// <summary>Where it listens, once started (http://127.0.0.1:7878, http://unix:/path).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>Binds and serves; false (with the reason logged) when it cannot.</summary>
    public async Task<bool> StartAsync(NodeAgent agent, IReadOnlyList<IConclusionSink> sinks, FleetStatus? fleet, LogLevel level, ILogger log)
    {
        try
        {
            ApiToken token = ApiToken.LoadOrCreate(_options.TokenFile);
            _xdp = new XdpMonitor(agent.Options.Guard, agent.Options.Sensors.ObjectPath(XdpGuard.ObjectName), log);
            _app = Build(agent, sinks, fleet, token, level, log);
            await _app.StartAsync().ConfigureAwait(false);
            if (_options.Socket is { } socket)
            {
                File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            Addresses = [.. _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
            log.LogInformation("api listening on {Addresses} (console at /, metrics at /metrics, token in {TokenFile})", string.Join(", ", Addresses), _options.TokenFile);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            log.LogError("local API not started (the agent keeps running): {Reason}", ex.Message);
            await StopServerAsync().ConfigureAwait(false);
            return false;
        }
    }

    private WebApplication Build(NodeAgent agent, IReadOnlyList<IConclusionSink> sinks, FleetStatus? fleet, ApiToken token, LogLevel level, ILogger log)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        Logging.Configure(builder.Logging.ClearProviders(), level > LogLevel.Warning ? level : LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IHostLifetime, AgentOwnedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (_options.Listen is { } endpoint)
            {
                kestrel.Listen(endpoint, listen =>
                {
                    if (_options.TlsCertificate is { } cert)
                    {
                        listen.UseHttps(X509Certificate2.CreateFromPemFile(cert, _options.TlsKey));
                    }
                });
            }
            if (_options.Socket is { } socket)
            {
                File.Delete(socket); // a stale socket of an earlier run
                kestrel.ListenUnixSocket(socket);
            }
        });
        WebApplication app = builder.Build();

        string console = Path.Combine(AppContext.BaseDirectory, "console");
        if (Directory.Exists(console))
        {
            var files = new PhysicalFileProvider(console);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        app.MapMetrics("/metrics");
        HealthRoutes.Map(app, agent, sinks, Stream, DateTime.UtcNow);
        RouteGroupBuilder api = app.MapGroup("/api");
        api.AddEndpointFilter(new BearerTokenFilter(token));
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (StoreException ex)
            {
                return Results.Json(new { error = ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        EventRoutes.Map(api, History, Stream);
        ProcessRoutes.Map(api, agent.Processes, History);
        IncidentRoutes.Map(api, History);
        XdpRoutes.Map(api, _xdp!, () => agent.Mitigation, log);
        ConfigRoutes.Map(api, agent.Options);
        if (_storePath is not null)
        {
            FlowRoutes.Map(api, _storePath);
        }
        if (fleet is not null)
        {
            FleetRoutes.Map(api, fleet);
        }
        return app;
    }

    private async Task StopServerAsync()
    {
        Stream.CloseSubscribers();
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
        _xdp?.Dispose();
        _xdp = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync().ConfigureAwait(false);
        await Stream.DisposeAsync().ConfigureAwait(false);
        if (_recent is not null)
        {
            await _recent.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The agent owns Ctrl-C and SIGTERM and stops the server itself; the web host must not catch them.</summary>
    private sealed class AgentOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
