using System.Diagnostics;
using System.Text;

namespace Vigil.Tests.Support;

/// <summary>The built `vigil` CLI run as a child process, its output collected line by line.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _stdout = [];
    private readonly object _lock = new(); // Monitor.Wait/PulseAll need a monitor, not a Lock

    /// <param name="netns">Runs inside this network namespace (one a test made), through nsenter.</param>
    /// <param name="capabilities">Runs as root with only these capabilities (setpriv's names: bpf, net_admin, ...) in its bounding set.</param>
    /// <param name="environment">Variables set for the CLI on top of the test's own.</param>
    /// <param name="sigintIgnored">Starts the CLI with SIGINT ignored, as a shell starts a script's background job (`vigil run &`).</param>
    public CliProcess(IEnumerable<string> args, string? runAs = null, string? netns = null, IEnumerable<string>? capabilities = null,
        IReadOnlyDictionary<string, string>? environment = null, bool sigintIgnored = false)
    {
        var info = new ProcessStartInfo(runAs is not null || capabilities is not null ? "setpriv" : netns is not null ? "nsenter" : sigintIgnored ? "/bin/sh" : RepoPaths.Cli)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (runAs is not null)
        {
            foreach (string a in new[] { $"--reuid={runAs}", $"--regid={runAs}", "--clear-groups", "--inh-caps=-all", RepoPaths.Cli })
            {
                info.ArgumentList.Add(a);
            }
        }
        else if (capabilities is not null)
        {
            info.ArgumentList.Add("--bounding-set=-all," + string.Join(',', capabilities.Select(c => "+" + c)));
            info.ArgumentList.Add("--inh-caps=-all");
            info.ArgumentList.Add(RepoPaths.Cli);
        }
        else if (netns is not null)
        {
            info.ArgumentList.Add($"--net=/run/netns/{netns}");
            info.ArgumentList.Add(RepoPaths.Cli);
        }
        else if (sigintIgnored)
        {
            // An ignored signal stays ignored across exec: the CLI starts as the shell's own pid.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("trap '' INT; exec \"$0\" \"$@\"");
            info.ArgumentList.Add(RepoPaths.Cli);
        }
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lock)
                {
                    _stdout.Add(e.Data);
                    Monitor.PulseAll(_lock);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_lock)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    public List<string> Stdout
    {
        get
        {
            lock (_lock)
            {
                return [.. _stdout];
            }
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunAs(null, args);

    public static (int ExitCode, string Stdout, string Stderr) RunAs(string? user, params string[] args)
    {
        using var cli = new CliProcess(args, user);
        int code = cli.WaitForExit(TimeSpan.FromSeconds(60));
        return (code, string.Join('\n', cli.Stdout), cli.Stderr);
    }

    /// <summary>Waits for a stdout line matching <paramref name="match"/>.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        lock (_lock)
        {
            while (true)
            {
                if (_stdout.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no matching line within {timeout}; stderr:\n{_stderr}");
                }
                Monitor.Wait(_lock, left);
            }
        }
    }

    /// <summary>Waits for the agent to log <paramref name="text"/> on stderr; fails the test, with the log, when it does not in time.</summary>
    public void WaitForStderr(string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"agent never logged '{text}' within {timeout}:\n{Stderr}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Waits for `vigil run` to say it is running (sensors attached, rules loaded).</summary>
    public void WaitUntilRunning()
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(60); // every sensor verifies and attaches its programs first
        while (!Stderr.Contains("vigil running", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !_process.HasExited, "agent did not start:\n" + Stderr);
            Thread.Sleep(50);
        }
    }

    public void Signal(int signal) => Children.Run("kill", $"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            throw new TimeoutException($"vigil did not exit within {timeout}; stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the asynchronous readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
