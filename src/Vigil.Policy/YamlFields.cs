using YamlDotNet.RepresentationModel;

namespace Vigil.Policy;

/// <summary>
/// Strict access to one YAML mapping of a policy file: each field it may hold is named up front, any
/// other is reported as unknown, and every problem carries the position of the node it is about.
/// </summary>
internal sealed class YamlFields
{
    private readonly string _file;
    private readonly Dictionary<string, YamlNode> _fields = new(StringComparer.Ordinal);
    private readonly List<PolicyProblem> _problems;

    public YamlFields(string file, YamlNode node, string what, List<PolicyProblem> problems, params string[] known)
    {
        _file = file;
        _problems = problems;
        Location = At(node);
        if (node is not YamlMappingNode map)
        {
            Problem(node, $"{what} must be a mapping");
            return;
        }
        foreach ((YamlNode key, YamlNode value) in map.Children)
        {
            string name = (key as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                Problem(key, $"unknown field '{name}' in {what}; known fields: {string.Join(", ", known)}");
                continue;
            }
            _fields[name] = value;
        }
    }

    public PolicyLocation Location { get; }

    public bool Has(string key) => _fields.ContainsKey(key);

    public PolicyLocation At(YamlNode node) => new(_file, (int)node.Start.Line, (int)node.Start.Column);

    public PolicyLocation LocationOf(string key) => _fields.TryGetValue(key, out YamlNode? node) ? At(node) : Location;

    public YamlNode? Node(string key) => _fields.GetValueOrDefault(key);

    public void Problem(YamlNode node, string message) => _problems.Add(new PolicyProblem(At(node), message));

    public void Problem(PolicyLocation location, string message) => _problems.Add(new PolicyProblem(location, message));

    /// <summary>A scalar field; a missing required one is a problem at the mapping.</summary>
    public string? Scalar(string key, bool required = false)
    {
        if (!_fields.TryGetValue(key, out YamlNode? node))
        {
            if (required)
            {
                Problem(Location, $"'{key}' is required");
            }
            return null;
        }
        if (node is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            Problem(node, $"'{key}' must be a non-empty scalar");
            return null;
        }
        return value;
    }

    /// <summary>A sequence of scalars, each with its position; a missing field is an empty list.</summary>
    public IReadOnlyList<(string Value, YamlNode Node)> Scalars(string key)
    {
        if (!_fields.TryGetValue(key, out YamlNode? node))
        {
            return [];
        }
        if (node is not YamlSequenceNode sequence)
        {
            Problem(node, $"'{key}' must be a list");
            return [];
        }
        var values = new List<(string, YamlNode)>();
        foreach (YamlNode item in sequence)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } value })
            {
                values.Add((value, item));
            }
            else
            {
                Problem(item, $"each entry of '{key}' must be a non-empty scalar");
            }
        }
        return values;
    }
}
