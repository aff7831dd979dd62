using System.CommandLine;
using System.Net;
using Vigil.Agent.Commands;
using Vigil.Guard;
using static Vigil.Tests.Deploy.DeployFiles;

namespace Vigil.Tests.Deploy;

/// <summary>
/// deploy/ read as systemd, Kubernetes, Helm and Docker would: the command lines are accepted by the
/// agent's own `vigil run` parser, the capabilities are the set the agent was proven to run with
/// (<see cref="CapabilityTests"/>), the paths it writes are writable, and what BPF needs is mounted.
/// </summary>
public sealed class DeployManifestTests
{
    /// <summary>What the agent reads from the host in a container: BTF, bpffs (pins), tracefs, cgroups; and its state.</summary>
    private static readonly string[] HostMounts = ["/sys/kernel/btf", "/sys/fs/bpf", "/sys/kernel/tracing", "/sys/fs/cgroup", "/var/lib/vigil"];

    [Fact]
    public void The_systemd_unit_runs_an_accepted_command_line_with_only_its_capabilities_and_writes_only_where_it_may()
    {
        Dictionary<string, List<string>> unit = UnitService();
        string[] exec = Single(unit, "ExecStart").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["/opt/vigil/vigil", "run"], exec[..2]);
        ParseResult run = ParseRun(exec[2..]);

        // Capabilities: the bounding set is what the process can ever have, and root gets no more.
        string[] capabilities = UnitCapabilities();
        Assert.Equal(Single(unit, "CapabilityBoundingSet"), Single(unit, "AmbientCapabilities"));
        Assert.Superset(new HashSet<string> { "bpf", "perfmon", "net_admin", "sys_resource" }, capabilities.ToHashSet());
        Assert.DoesNotContain("sys_admin", capabilities);
        Assert.Equal("yes", Single(unit, "NoNewPrivileges"));

        // A read-only system but for the agent's state (store, token) and its BPF pins.
        Assert.Equal("strict", Single(unit, "ProtectSystem"));
        string[] writable = Single(unit, "ReadWritePaths").Split(' ');
        foreach (string file in new[] { Value(run, "--store"), Value(run, "--api-token-file"), GuardPaths.DefaultRoot + "/x" })
        {
            Assert.Contains(writable, dir => file.StartsWith(dir + "/", StringComparison.Ordinal));
        }
        // Safe by default: the API stays on loopback.
        Assert.True(IPAddress.IsLoopback(IPEndPoint.Parse(Value(run, "--api-listen")).Address));
    }

    public static TheoryData<string> Manifests => ["kubernetes/vigil-daemonset.yaml", "helm/vigil"];

    [Theory]
    [MemberData(nameof(Manifests))]
    public void The_daemonset_mounts_what_bpf_needs_probes_a_served_route_and_grants_the_units_capabilities(string manifest)
    {
        string text = manifest.StartsWith("helm", StringComparison.Ordinal) ? RenderChart("vigil", "vigil") : File.ReadAllText(Path(manifest));
        Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
        Dictionary<object, object> daemonSet = Assert.Single(YamlDocuments(text), d => (string)d["kind"] == "DaemonSet");
        object pod = At(daemonSet, "spec", "template", "spec");
        object container = Assert.Single((List<object>)At(pod, "containers"));
        Assert.Equal("true", At(pod, "hostPID"));
        Assert.Equal("true", At(pod, "hostNetwork"));

        // The container's arguments, as `vigil run` parses them.
        var args = ((List<object>)At(container, "args")).Cast<string>().ToArray();
        Assert.Equal("run", args[0]);
        ParseResult run = ParseRun(args[1..]);

        // Host paths mounted where the agent looks for them, and every file it is told about is on a mount.
        var volumes = ((List<object>)At(pod, "volumes")).Cast<Dictionary<object, object>>().ToDictionary(v => (string)v["name"]);
        var mounts = ((List<object>)At(container, "volumeMounts")).Cast<Dictionary<object, object>>().ToList();
        foreach (string host in HostMounts)
        {
            Dictionary<object, object> mount = Assert.Single(mounts, m => (string)m["mountPath"] == host);
            Assert.Equal(host, At(volumes[(string)mount["name"]], "hostPath", "path"));
        }
        Assert.NotEqual("true", mounts.Single(m => (string)m["mountPath"] == "/sys/fs/bpf").GetValueOrDefault("readOnly"));
        foreach (string file in args.Where(a => a.StartsWith('/')))
        {
            Assert.Contains(mounts, m => file.StartsWith((string)m["mountPath"] + "/", StringComparison.Ordinal));
        }

        // Probes and scraping reach the API where it listens, with TLS exactly when it serves TLS.
        int port = IPEndPoint.Parse(Value(run, "--api-listen")).Port;
        string scheme = run.GetValue<string?>("--api-tls-cert") is null ? "HTTP" : "HTTPS";
        foreach (string probe in new[] { "livenessProbe", "readinessProbe" })
        {
            Assert.Equal("/api/health", At(container, probe, "httpGet", "path"));
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), At(container, probe, "httpGet", "port"));
            Assert.Equal(scheme, At(container, probe, "httpGet", "scheme"));
        }
        object annotations = At(daemonSet, "spec", "template", "metadata", "annotations");
        Assert.Equal("true", At(annotations, "prometheus.io/scrape"));
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), At(annotations, "prometheus.io/port"));
        Assert.Equal("/metrics", At(annotations, "prometheus.io/path"));
        Assert.Equal(scheme.ToLowerInvariant(), At(annotations, "prometheus.io/scheme"));

        // Exactly the systemd unit's capabilities, nothing inherited, no privileged mode.
        object security = At(container, "securityContext");
        Assert.Equal(["ALL"], ((List<object>)At(security, "capabilities", "drop")).Cast<string>());
        Assert.Equal(UnitCapabilities().Order(), ((List<object>)At(security, "capabilities", "add")).Cast<string>().Select(c => c.ToLowerInvariant()).Order());
        Assert.Equal("false", At(security, "privileged"));
        Assert.Equal("false", At(security, "allowPrivilegeEscalation"));
    }

    [Fact]
    public void The_dockerfile_publishes_the_self_contained_agent_onto_libbpf_and_runs_it()
    {
        string[] lines = File.ReadAllLines(Path("Dockerfile"));
        Assert.Contains(lines, l => l.Contains("dotnet publish src/Vigil.Agent/Vigil.Agent.csproj -c Release -r linux-x64 --self-contained", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("libbpf1", StringComparison.Ordinal) && !l.Contains("libbpf-dev", StringComparison.Ordinal));
        Assert.Contains("ENTRYPOINT [\"/opt/vigil/vigil\"]", lines);
        Assert.Contains("CMD [\"run\"]", lines);
    }

    private static ParseResult ParseRun(string[] args)
    {
        ParseResult result = RunCommand.Create().Parse(args);
        Assert.True(result.Errors.Count == 0, $"vigil run {string.Join(' ', args)}: " + string.Join("; ", result.Errors.Select(e => e.Message)));
        return result;
    }

    private static string Value(ParseResult run, string option) => run.GetValue<object>(option)?.ToString() ?? throw new InvalidOperationException($"{option} is not set");
}
