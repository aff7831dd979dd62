using System.Diagnostics;
using System.Text.Json;

namespace Vigil.Bench.Eval;

/// <summary>An incident as the agent last published it, and when the runner first read it.</summary>
public sealed record ObservedIncident(string Id, string Title, double Confidence, string RootCause, HashSet<string> Findings, HashSet<long> Pids, DateTime FirstReadUtc);

/// <summary>
/// The real agent (`vigil run -o json`) as a child process. Reads its stream: which pids descend
/// from which (exec and fork events, so each scenario's process tree is known) and every incident
/// revision (the last revision of each id wins; the first time it was read is its detection time).
/// Every line it reads is kept in <c>output</c>, for a look at what the agent saw.
/// </summary>
public sealed class AgentRun : IDisposable
{
    private readonly Process _agent;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, long> _parents = [];
    private readonly Dictionary<string, ObservedIncident> _incidents = [];
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StreamWriter _output;

    public AgentRun(string cli, IEnumerable<string> args, string output)
    {
        _output = new StreamWriter(output);
        var info = new ProcessStartInfo(cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("-o");
        info.ArgumentList.Add("json");
        // The evaluation reads the agent's stdout; a store or an API would only compete with a running node agent.
        foreach (string off in (string[])["--api", "none", "--store", "none"])
        {
            info.ArgumentList.Add(off);
        }
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        _agent = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {cli}");
        _agent.OutputDataReceived += (_, e) => { if (e.Data is not null) { Read(e.Data); } };
        _agent.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _running.TrySetException(new InvalidOperationException("the agent exited before it was running"));
            }
            else if (e.Data.Contains("vigil running", StringComparison.Ordinal))
            {
                _running.TrySetResult();
            }
            else if (e.Data.Contains("fail", StringComparison.OrdinalIgnoreCase) || e.Data.Contains("error", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"agent: {e.Data}");
            }
        };
        _agent.BeginOutputReadLine();
        _agent.BeginErrorReadLine();
    }

    public Task Running => _running.Task;

    /// <summary>The pids descending from <paramref name="root"/> that the agent has seen (the root included).</summary>
    public HashSet<long> Tree(long root)
    {
        lock (_lock)
        {
            var tree = new HashSet<long> { root };
            bool grew = true;
            while (grew)
            {
                grew = false;
                foreach ((long child, long parent) in _parents)
                {
                    if (tree.Contains(parent) && tree.Add(child))
                    {
                        grew = true;
                    }
                }
            }
            return tree;
        }
    }

    public List<ObservedIncident> Incidents()
    {
        lock (_lock)
        {
            return [.. _incidents.Values];
        }
    }

    private void Read(string line)
    {
        DateTime now = DateTime.UtcNow;
        try
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement o = doc.RootElement;
            string name = o.TryGetProperty("event.name", out JsonElement n) ? n.GetString() ?? "" : "";
            lock (_lock)
            {
                _output.WriteLine(line);
                if (name == "incident")
                {
                    ReadIncident(o, now);
                    return;
                }
                if (o.TryGetProperty("process.pid", out JsonElement pid) && o.TryGetProperty("process.parent.pid", out JsonElement ppid) && pid.GetInt64() != ppid.GetInt64())
                {
                    _parents[pid.GetInt64()] = ppid.GetInt64();
                }
                if (o.TryGetProperty("vigil.child.pid", out JsonElement child) && o.TryGetProperty("process.pid", out JsonElement parent))
                {
                    _parents[child.GetInt64()] = parent.GetInt64();
                }
            }
        }
        catch (JsonException)
        {
            Console.Error.WriteLine($"agent wrote a line that is not JSON: {line}");
        }
    }

    private void ReadIncident(JsonElement o, DateTime now)
    {
        string id = o.GetProperty("vigil.incident.id").GetString() ?? "";
        JsonElement root = o.GetProperty("vigil.incident.root_cause");
        var pids = new HashSet<long>();
        var findings = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement s in o.GetProperty("vigil.incident.timeline").EnumerateArray().Append(root))
        {
            if (s.TryGetProperty("process.pid", out JsonElement pid))
            {
                pids.Add(pid.GetInt64());
            }
            if (s.GetProperty("kind").GetString() != "event")
            {
                findings.Add(s.GetProperty("name").GetString() ?? "");
            }
        }
        DateTime firstRead = _incidents.TryGetValue(id, out ObservedIncident? seen) ? seen.FirstReadUtc : now;
        // A plain event is a root cause as a sequence's step: named by the step, then the event.
        string rootName = root.GetProperty("name").GetString() ?? "";
        string rootCause = root.TryGetProperty("vigil.sequence.step", out JsonElement step) ? $"{step.GetString()} ({rootName})" : rootName;
        _incidents[id] = new ObservedIncident(
            id,
            o.GetProperty("vigil.incident.title").GetString() ?? "",
            o.GetProperty("vigil.incident.confidence").GetDouble(),
            rootCause,
            findings,
            pids,
            firstRead);
    }

    public void Dispose()
    {
        if (!_agent.HasExited)
        {
            // SIGINT: the agent detaches its programs and flushes, as on Ctrl-C.
            using (Process? stop = Process.Start("kill", ["-INT", _agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                stop?.WaitForExit();
            }
            if (!_agent.WaitForExit(10_000))
            {
                _agent.Kill();
            }
        }
        _agent.Dispose();
        _output.Dispose();
    }
}
