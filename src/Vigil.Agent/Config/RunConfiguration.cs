using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Vigil.Agent.Config;

/// <summary>
/// The effective settings of <c>vigil run</c>, from four layers of Microsoft.Extensions.Configuration,
/// each over the one before: the flags' defaults, the YAML file (<c>--config</c>), <c>VIGIL_SECTION__KEY</c>
/// environment variables, and the flags given. The file and environment layers are checked key by key
/// (unknown keys and bad values are errors naming the key and where it was set), then turned back into
/// flags, so one parser and one set of checks serve all layers.
/// </summary>
public sealed class RunConfiguration
{
    private const string EnvironmentPrefix = "VIGIL_";

    private readonly Command _run;
    private readonly IConfigurationRoot _root;
    private readonly YamlConfigFile? _file;
    private readonly IConfigurationProvider _defaults;
    private readonly IConfigurationProvider? _fileLayer;
    private readonly IConfigurationProvider _environment;

    private RunConfiguration(Command run, ParseResult flags, YamlConfigFile? file)
    {
        _run = run;
        _file = file;
        IConfigurationBuilder builder = new ConfigurationBuilder()
            .Add(new MemoryConfigurationSource { InitialData = Defaults(run) });
        if (file is not null)
        {
            builder.Add(new MemoryConfigurationSource { InitialData = file.Values });
        }
        builder.Add(new EnvironmentVariablesConfigurationSource { Prefix = EnvironmentPrefix });
        builder.Add(new MemoryConfigurationSource { InitialData = Given(run, flags) });
        _root = builder.Build();
        List<IConfigurationProvider> providers = [.. _root.Providers];
        _defaults = providers[0];
        _fileLayer = file is null ? null : providers[1];
        _environment = providers[^2];
        Flags = providers[^1];
    }

    private IConfigurationProvider Flags { get; }

    /// <summary>Reads the file (when given) and the environment over the flags of <paramref name="flags"/>; throws <see cref="ConfigException"/> for anything it cannot use.</summary>
    public static RunConfiguration Load(Command run, ParseResult flags, string? file)
    {
        YamlConfigFile? yaml = file is null ? null : YamlConfigFile.Load(file);
        foreach (string key in yaml?.Values.Keys ?? Enumerable.Empty<string>())
        {
            if (Setting(key) is null)
            {
                throw new ConfigException($"{yaml!.Where(key)}: unknown key {Dotted(key)} (`vigil config show` lists the keys)");
            }
        }
        foreach (string variable in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(IsSetting))
        {
            if (Setting(variable[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)) is null)
            {
                throw new ConfigException($"environment variable {variable}: unknown key {Dotted(variable[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)).ToLowerInvariant()}");
            }
        }
        var configuration = new RunConfiguration(run, flags, yaml);
        configuration.CheckValues();
        return configuration;
    }

    /// <summary>The flags <c>vigil run</c> runs with: those given, then those the file and the environment set and no flag did.</summary>
    public ParseResult Apply(ParseResult flags)
    {
        List<string> args = [.. flags.Tokens.SkipWhile(t => t.Type != TokenType.Command || t.Value != _run.Name).Skip(1).Select(t => t.Value)];
        foreach (RunSetting setting in RunSettings.All.Where(s => Layer(s) is { } layer && layer != Flags && layer != _defaults))
        {
            args.AddRange(Arguments(setting, Values(setting)));
        }
        return _run.Parse(args);
    }

    /// <summary>Names where a flag's value came from when a check after parsing refuses it ("--store-max-size: ...").</summary>
    public string Explain(string message)
    {
        RunSetting? setting = RunSettings.All.FirstOrDefault(s => message.StartsWith(s.Flag + ":", StringComparison.Ordinal) || message.StartsWith(s.Flag + " ", StringComparison.Ordinal));
        return setting is not null && Layer(setting) is { } layer && layer != Flags && layer != _defaults
            ? $"{Where(setting)}: {setting.Key}: {message}"
            : message;
    }

    /// <summary>Each setting, its effective value (a list for list settings, null when unset) and where it came from.</summary>
    public IEnumerable<(RunSetting Setting, IReadOnlyList<string> Values, string Source)> Effective() =>
        RunSettings.All.Select(s => (s, Values(s), Where(s)));

    /// <summary>Where a setting's value came from: default, FILE:LINE:COL, the environment variable or the flag.</summary>
    public string Where(RunSetting setting)
    {
        IConfigurationProvider? layer = Layer(setting);
        if (layer == Flags)
        {
            return "flag " + setting.Flag;
        }
        if (layer == _environment)
        {
            return "environment " + setting.Variable;
        }
        if (layer is not null && layer == _fileLayer)
        {
            return _file!.Where(setting.List ? setting.Path + ":0" : setting.Path);
        }
        return "default";
    }

    /// <summary>The layer a setting's value comes from: the last that has it.</summary>
    private IConfigurationProvider? Layer(RunSetting setting) =>
        _root.Providers.Reverse().FirstOrDefault(p => p.TryGet(setting.List ? setting.Path + ":0" : setting.Path, out string? value) && value is not null);

    private IReadOnlyList<string> Values(RunSetting setting)
    {
        if (!setting.List)
        {
            return Layer(setting) is { } layer && layer.TryGet(setting.Path, out string? value) && value is not null ? [value] : [];
        }
        // A list comes whole from one layer: a list in the environment replaces the file's, not item by item.
        var items = new List<string>();
        for (int i = 0; Layer(setting) is { } layer && layer.TryGet($"{setting.Path}:{i}", out string? item) && item is not null; i++)
        {
            items.Add(item);
        }
        return items;
    }

    /// <summary>Each value set by the file or the environment, parsed alone by its flag's own parser.</summary>
    private void CheckValues()
    {
        foreach (RunSetting setting in RunSettings.All.Where(s => Layer(s) is { } layer && layer != Flags && layer != _defaults))
        {
            if (!setting.List && (_file?.Values.Keys.Any(k => k.StartsWith(setting.Path + ":", StringComparison.OrdinalIgnoreCase)) ?? false))
            {
                throw new ConfigException($"{Where(setting)}: {setting.Key} takes one value, not a list or a section");
            }
            ParseResult alone = _run.Parse([.. Arguments(setting, Values(setting))]);
            if (alone.Errors.FirstOrDefault() is { } error)
            {
                throw new ConfigException($"{Where(setting)}: {setting.Key}: {error.Message}");
            }
        }
    }

    private static IEnumerable<string> Arguments(RunSetting setting, IReadOnlyList<string> values) => values.SelectMany(v => new[] { setting.Flag, v });

    /// <summary>Each flag's default, as the flag would take it; a flag without one may have a documented default (<see cref="RunSetting.Default"/>).</summary>
    private static Dictionary<string, string?> Defaults(Command run)
    {
        var defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (RunSetting setting in RunSettings.All.Where(s => !s.List))
        {
            Option option = OptionOf(run, setting);
            defaults[setting.Path] = option.HasDefaultValue ? Text.Value(option.GetDefaultValue()) : setting.Default?.Invoke();
        }
        return defaults;
    }

    /// <summary>The settings given as flags, by key.</summary>
    private static Dictionary<string, string?> Given(Command run, ParseResult flags)
    {
        var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (RunSetting setting in RunSettings.All)
        {
            if (flags.GetResult(OptionOf(run, setting)) is not { Implicit: false } result)
            {
                continue;
            }
            IReadOnlyList<Token> tokens = result.Tokens;
            if (setting.List)
            {
                for (int i = 0; i < tokens.Count; i++)
                {
                    given[$"{setting.Path}:{i}"] = tokens[i].Value;
                }
            }
            else
            {
                // A bare switch (--verbose) is true.
                given[setting.Path] = tokens.Count > 0 ? tokens[^1].Value : "true";
            }
        }
        return given;
    }

    private static Option OptionOf(Command run, RunSetting setting) =>
        run.Options.FirstOrDefault(o => o.Name == setting.Flag || o.Aliases.Contains(setting.Flag))
        ?? throw new InvalidOperationException($"vigil run has no flag {setting.Flag} for setting {setting.Key}");

    /// <summary>The setting a configuration key names: the key of a setting, or an item of a list setting.</summary>
    private static RunSetting? Setting(string key)
    {
        if (RunSettings.Find(key) is { } setting)
        {
            return setting;
        }
        int last = key.LastIndexOf(':');
        return last > 0 && int.TryParse(key[(last + 1)..], out _) && RunSettings.Find(key[..last]) is { List: true } list ? list : null;
    }

    /// <summary>Only VIGIL_SECTION__KEY variables configure the agent; others (VIGIL_NATS_PASSWORD, the test suite's) are left alone.</summary>
    private static bool IsSetting(string variable) =>
        variable.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && variable.Contains("__", StringComparison.Ordinal);

    private static string Dotted(string key) => key.Replace(':', '.');
}
