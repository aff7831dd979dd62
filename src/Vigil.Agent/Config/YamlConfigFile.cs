using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Agent.Config;

/// <summary>
/// A configuration file parsed by YamlDotNet into configuration keys (sections joined by ':', list
/// items by index), each with the line and column of its value, so an error can point at it.
/// Empty values and <c>~</c> mean "not set here".
/// </summary>
public sealed class YamlConfigFile
{
    private YamlConfigFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Values by configuration key (<c>store:max_size</c>, <c>rules:files:0</c>).</summary>
    public Dictionary<string, string?> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where each key's value (or for a mapping, the key itself) is in the file.</summary>
    public Dictionary<string, Mark> Marks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>FILE:LINE:COL of a key.</summary>
    public string Where(string key) => Marks.TryGetValue(key, out Mark mark) ? $"{Path}:{mark.Line}:{mark.Column}" : Path;

    public static YamlConfigFile Load(string path)
    {
        var file = new YamlConfigFile(path);
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{path}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"configuration file {path}: {ex.Message}");
        }
        if (yaml.Documents.Count == 0)
        {
            return file;
        }
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            YamlNode node = yaml.Documents[0].RootNode;
            if (node is YamlScalarNode { Value: null or "" or "~" })
            {
                return file;
            }
            throw new ConfigException($"{path}:{node.Start.Line}:{node.Start.Column}: the configuration must be a mapping of sections (api:, store:, ...)");
        }
        file.Add("", root);
        return file;
    }

    private void Add(string prefix, YamlNode node)
    {
        Marks[prefix] = node.Start;
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach ((YamlNode key, YamlNode value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } name })
                    {
                        throw new ConfigException($"{Path}:{key.Start.Line}:{key.Start.Column}: a key must be a plain name");
                    }
                    Add(prefix.Length == 0 ? name : prefix + ":" + name, value);
                }
                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    Add($"{prefix}:{i}", sequence.Children[i]);
                }
                break;
            case YamlScalarNode scalar:
                bool unset = scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null";
                Values[prefix] = unset ? null : scalar.Value;
                break;
        }
    }
}
