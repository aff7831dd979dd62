using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Support;

/// <summary>
/// A real nats-server (Debian's) with JetStream, started by one test on loopback or inside a
/// namespace the test made, with its own config and store in a temporary directory. It can be
/// stopped and started again on the same store (an outage), or killed. Disposing kills it and
/// removes the directory.
/// </summary>
public sealed class NatsServer : IDisposable
{
    private readonly string _config;
    private readonly string? _netns;
    private Process? _process;
    private readonly StringBuilder _log = new();

    /// <param name="extraConfig">Appended to the config: accounts and users, a cluster block.</param>
    public NatsServer(string? netns = null, string host = "127.0.0.1", int? port = null, string extraConfig = "", string? name = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "vigil-nats-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        _netns = netns;
        Host = host;
        Port = port ?? FreePort();
        _config = Path.Combine(Directory, "nats.conf");
        File.WriteAllText(_config, $$"""
            server_name: {{name ?? "vigil-test-" + Port.ToString(CultureInfo.InvariantCulture)}}
            listen: {{host}}:{{Port}}
            jetstream { store_dir: "{{Path.Combine(Directory, "js")}}" }
            {{extraConfig}}
            """);
        Start();
    }

    public string Directory { get; }

    public string Host { get; }

    public int Port { get; }

    public string Url => $"nats://{Host}:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts (again, on the same store) and waits until it accepts clients.</summary>
    public void Start()
    {
        string[] args = ["-c", _config];
        _process = _netns is null ? Children.Start("nats-server", args) : Children.Start("nsenter", [$"--net=/run/netns/{_netns}", "nats-server", .. args]);
        var ready = new ManualResetEventSlim();
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_log)
            {
                _log.AppendLine(e.Data);
            }
            if (e.Data?.Contains("Server is ready", StringComparison.Ordinal) == true)
            {
                ready.Set();
            }
        };
        _process.BeginErrorReadLine();
        if (!ready.Wait(TimeSpan.FromSeconds(20)))
        {
            throw new InvalidOperationException($"nats-server did not become ready:\n{Log}");
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>A clean shutdown (SIGTERM), as for maintenance.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            Children.Run("kill", "-TERM", p.Id.ToString(CultureInfo.InvariantCulture));
            if (!p.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                p.Kill();
            }
            p.WaitForExit();
        }
    }

    /// <summary>A crash: SIGKILL.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a store file still held by a dying process; the temp directory is left behind
        }
    }
}
