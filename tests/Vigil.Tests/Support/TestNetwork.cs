using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Vigil.Guard;

namespace Vigil.Tests.Support;

/// <summary>
/// Two network namespaces made for one test, a client and a server, joined by a veth pair; the
/// guard goes on the server's end. Traffic stays between them. Disposing removes the guard's
/// per-test pins and both namespaces, pass or fail.
/// </summary>
public sealed partial class TestNetwork : IDisposable
{
    private static int s_count;

    public TestNetwork()
    {
        KernelRequirement.Check();
        int n = Interlocked.Increment(ref s_count);
        string id = $"{Environment.ProcessId % 100000}{n}";
        int subnet = (Environment.ProcessId + n) % 200 + 20;
        Client = $"vgc{id}";
        Server = $"vgs{id}";
        PinRoot = $"/sys/fs/bpf/vigil-test-{id}";
        ClientV4 = IPAddress.Parse($"10.251.{subnet}.1");
        ClientV4Other = IPAddress.Parse($"10.251.{subnet}.3");
        ServerV4 = IPAddress.Parse($"10.251.{subnet}.2");
        ClientV6 = IPAddress.Parse($"fd00:251:{subnet:x}::1");
        ClientV6Other = IPAddress.Parse($"fd00:251:{subnet:x}::3");
        ServerV6 = IPAddress.Parse($"fd00:251:{subnet:x}::2");
        Subnet24 = $"10.251.{subnet}.0/24";
        Subnet64 = $"fd00:251:{subnet:x}::/64";
        try
        {
            Ip("netns", "add", Client);
            Ip("netns", "add", Server);
            Ip("link", "add", Client, "netns", Client, "type", "veth", "peer", "name", Server, "netns", Server);
            foreach ((string ns, string[] addresses) in new[]
            {
                (Client, new[] { $"{ClientV4}/24", $"{ClientV4Other}/24", $"{ClientV6}/64", $"{ClientV6Other}/64" }),
                (Server, new[] { $"{ServerV4}/24", $"{ServerV6}/64" }),
            })
            {
                foreach (string address in addresses)
                {
                    Ip("-n", ns, "addr", "add", address, "dev", ns, "nodad");
                }
                Ip("-n", ns, "link", "set", "lo", "up");
                Ip("-n", ns, "link", "set", ns, "up");
            }
            WaitUntilReachable();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Namespace names; each one's veth end has the same name.</summary>
    public string Client { get; }
    public string Server { get; }
    public string PinRoot { get; }
    public GuardPaths Paths => new(PinRoot);
    public IPAddress ClientV4 { get; }
    public IPAddress ClientV4Other { get; }
    public IPAddress ServerV4 { get; }
    public IPAddress ClientV6 { get; }
    public IPAddress ClientV6Other { get; }
    public IPAddress ServerV6 { get; }
    public string Subnet24 { get; }
    public string Subnet64 { get; }

    /// <summary>One echo request from the client (from <paramref name="source"/>) to the server: true when answered.</summary>
    public bool Ping(IPAddress to, IPAddress? source = null, double timeoutSeconds = 1)
    {
        var args = new List<string> { "netns", "exec", Client, "ping", "-c", "1", "-W", timeoutSeconds.ToString(CultureInfo.InvariantCulture), "-q" };
        if (source is not null)
        {
            args.AddRange(["-I", source.ToString()]);
        }
        args.Add(to.ToString());
        return Children.Run("ip", [.. args]) == 0;
    }

    /// <summary>A fresh veth takes a moment before IPv6 works (link-local setup): tests start after it does.</summary>
    private void WaitUntilReachable()
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(Ping(ServerV4, timeoutSeconds: 0.2) && Ping(ServerV6, timeoutSeconds: 0.2)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Client} cannot reach {Server} over the new veth pair");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>The vigil CLI inside the server's namespace, on this test's pin root.</summary>
    public (int ExitCode, string Stdout, string Stderr) Vigil(params string[] args)
    {
        string[] all = [$"--net=/run/netns/{Server}", RepoPaths.Cli, .. args, "--pin-root", PinRoot];
        using Process p = Children.Start("nsenter", all);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            throw new TimeoutException($"vigil {string.Join(' ', args)} did not finish");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the vigil CLI and fails the test unless it succeeds.</summary>
    public string VigilOk(params string[] args)
    {
        (int code, string stdout, string stderr) = Vigil(args);
        Assert.True(code == 0, $"vigil {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout;
    }

    /// <summary>Runs <paramref name="action"/> on a thread inside <paramref name="ns"/>: sockets it creates live there.</summary>
    public static T InNamespace<T>(string ns, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{ns}");
                if (SetNs((int)handle.DangerousGetHandle(), 0x40000000 /* CLONE_NEWNET */) != 0)
                {
                    throw new InvalidOperationException($"setns {ns}: errno {Marshal.GetLastPInvokeError()}");
                }
                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException($"in namespace {ns}: {failure.Message}", failure);
    }

    public void Dispose()
    {
        try
        {
            XdpGuard.Remove(Paths);
        }
        finally
        {
            Children.Run("ip", "netns", "del", Client);
            Children.Run("ip", "netns", "del", Server);
        }
    }

    private static void Ip(params string[] args)
    {
        using Process p = Children.Start("ip", args);
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {err}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
