using System.CommandLine;
using Vigil.Agent.Commands;
using Vigil.Agent.Config;
using Vigil.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Vigil.Tests.Config;

/// <summary>The real `vigil` CLI reading a real YAML file, VIGIL_ variables and flags: precedence, errors that point at the key, `config show`.</summary>
public sealed class ConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Flags_override_variables_which_override_the_file_which_overrides_the_defaults_and_show_says_where_each_came_from()
    {
        string file = Write("vigil.yaml", """
            # a node's settings
            store:
              max_size: 2G
              retention: 3d
              batch: 512
            api:
              listen: 127.0.0.1:9999
            rules:
              files: [/etc/vigil/a.yaml, /etc/vigil/b.yaml]
            """);
        var environment = new Dictionary<string, string> { ["VIGIL_STORE__MAX_SIZE"] = "3G", ["VIGIL_STORE__RETENTION"] = "4d", ["VIGIL_NATS_PASSWORD"] = "not a setting" };
        (int code, string stdout, string stderr) = Run(environment, "config", "show", "--config", file, "--store-retention", "5d");
        Assert.True(code == 0, stderr);

        YamlMappingNode shown = Parse(stdout);
        Assert.Equal("5d", Value(shown, "store", "retention"));          // flag over variable over file
        Assert.Equal("3G", Value(shown, "store", "max_size"));           // variable over file
        Assert.Equal("512", Value(shown, "store", "batch"));             // file over default
        Assert.Equal("16384", Value(shown, "store", "queue"));           // default
        Assert.Equal("127.0.0.1:9999", Value(shown, "api", "listen"));
        Assert.Equal(["/etc/vigil/a.yaml", "/etc/vigil/b.yaml"], ((YamlSequenceNode)Section(shown, "rules")["files"]).Children.Select(c => ((YamlScalarNode)c).Value));

        string[] lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("retention: 5d # flag --store-retention", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("max_size: 3G # environment VIGIL_STORE__MAX_SIZE", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"batch: 512 # {file}:5:10", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("queue: 16384 # default", StringComparison.Ordinal));

        // What config show prints is itself a configuration file that gives the same settings.
        string again = Write("again.yaml", stdout);
        (int againCode, string againOut, string againErr) = Run(null, "config", "show", "--config", again);
        Assert.True(againCode == 0, againErr);
        Assert.Equal("5d", Value(Parse(againOut), "store", "retention"));
        Assert.Equal("3G", Value(Parse(againOut), "store", "max_size"));
    }

    [Fact]
    public void Unknown_keys_and_bad_values_are_named_with_their_file_line_and_column_and_the_agent_does_not_start()
    {
        string typo = Write("typo.yaml", "store:\n  max_sise: 2G\n");
        (int code, string stdout, string stderr) = Run(null, "run", "--config", typo);
        Assert.Equal(64, code);
        Assert.Contains($"{typo}:2:13: unknown key store.max_sise", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);

        string bad = Write("bad.yaml", "api:\n  listen: 127.0.0.1:7878\nstore:\n  retention: soon\n");
        (code, _, stderr) = Run(null, "run", "--config", bad);
        Assert.Equal(64, code);
        Assert.Contains($"{bad}:4:14: store.retention: 'soon' is not a positive duration", stderr, StringComparison.Ordinal);

        // A value every parser takes but the store refuses: still named by where it was set.
        string small = Write("small.yaml", "store:\n  max_size: 1M\n");
        (code, _, stderr) = Run(null, "run", "--config", small);
        Assert.Equal(64, code);
        Assert.Contains($"{small}:2:13: store.max_size: --store-max-size: 1048576 bytes is below the minimum", stderr, StringComparison.Ordinal);

        string broken = Write("broken.yaml", "store:\n  max_size: [2G\n");
        (code, _, stderr) = Run(null, "config", "show", "--config", broken);
        Assert.Equal(64, code);
        Assert.Contains($"{broken}:3:1: not valid YAML", stderr, StringComparison.Ordinal);

        string section = Write("section.yaml", "store: /var/lib/vigil/other.db\n");
        (code, _, stderr) = Run(null, "config", "show", "--config", section);
        Assert.Equal(64, code);
        Assert.Contains($"{section}:1:8: unknown key store", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Run(new Dictionary<string, string> { ["VIGIL_API__LISTN"] = "127.0.0.1:1" }, "config", "show");
        Assert.Equal(64, code);
        Assert.Contains("environment variable VIGIL_API__LISTN: unknown key api.listn", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Run(new Dictionary<string, string> { ["VIGIL_API__LISTEN"] = "localhost" }, "config", "show");
        Assert.Equal(64, code);
        Assert.Contains("environment VIGIL_API__LISTEN: api.listen: 'localhost' is not ADDRESS:PORT", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Run(null, "config", "show", "--config", Path.Combine(_directory, "missing.yaml"));
        Assert.Equal(64, code);
        Assert.Contains("missing.yaml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_flag_of_vigil_run_has_a_configuration_key()
    {
        Command run = RunCommand.Create();
        string[] configurable = [.. RunSettings.All.Select(s => s.Flag)];
        string[] unconfigurable = [.. run.Options.Select(o => o.Name).Where(name => name is not "--config" and not "--help" and not "-?" && !configurable.Contains(name))];
        Assert.True(unconfigurable.Length == 0, $"flags of vigil run without a key in RunSettings: {string.Join(", ", unconfigurable)}");
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var cli = new CliProcess(args, environment: environment);
        int code = cli.WaitForExit(TimeSpan.FromSeconds(60));
        return (code, string.Join('\n', cli.Stdout), cli.Stderr);
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Section(YamlMappingNode root, string section) => (YamlMappingNode)root[section];

    private static string? Value(YamlMappingNode root, string section, string key) => ((YamlScalarNode)Section(root, section)[key]).Value;
}
