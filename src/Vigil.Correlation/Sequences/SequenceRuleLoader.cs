using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Correlation.Sequences;

/// <summary>
/// Reads sequence rules (docs/correlation.md). A file is taken whole or not at all: the first
/// problem is reported with file, line and column, and unknown keys are errors.
/// </summary>
public static partial class SequenceRuleLoader
{
    private static readonly string[] RuleKeys = ["sequence", "title", "priority", "within", "steps"];
    private static readonly string[] StepKeys = ["name", "rules", "condition", "join", "optional"];

    public static List<SequenceRule> LoadFile(string path, IStepConditionCompiler conditions) =>
        Load(File.ReadAllText(path), path, conditions);

    public static List<SequenceRule> Load(string yaml, string source, IStepConditionCompiler conditions)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SequenceRuleException(source, ex.Start.Line, ex.Start.Column, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this (without a position) for some malformed scalars.
            throw new SequenceRuleException($"{source}: not valid YAML ({ex.Message})", ex);
        }
        var rules = new List<SequenceRule>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return rules;
        }
        YamlSequenceNode root = Expect<YamlSequenceNode>(stream.Documents[0].RootNode, source, "a list of sequence rules");
        foreach (YamlNode item in root)
        {
            rules.Add(Rule(Expect<YamlMappingNode>(item, source, "a sequence rule (a mapping)"), source, conditions));
        }
        var duplicate = rules.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SequenceRuleException($"{source}: sequence '{duplicate.Key}' is defined twice");
        }
        return rules;
    }

    private static SequenceRule Rule(YamlMappingNode node, string source, IStepConditionCompiler conditions)
    {
        CheckKeys(node, RuleKeys, source);
        string name = Scalar(node, "sequence", source, required: true)!;
        YamlSequenceNode stepsNode = Expect<YamlSequenceNode>(Child(node, "steps", source, required: true)!, source, "a list of steps");
        var steps = stepsNode.Select(s => Step(Expect<YamlMappingNode>(s, source, "a step (a mapping)"), source, conditions)).ToList();
        if (steps.Count < 2)
        {
            Fail(node, source, $"sequence '{name}' needs at least two steps");
        }
        if (steps[0].Optional || steps.All(s => s.Optional))
        {
            Fail(node, source, $"sequence '{name}': the first step cannot be optional");
        }
        string within = Scalar(node, "within", source, required: true)!;
        return new SequenceRule
        {
            Name = name,
            Title = Scalar(node, "title", source) ?? name,
            Priority = Scalar(node, "priority", source) ?? "WARNING",
            Within = Duration(within) ?? throw At(Child(node, "within", source)!, source,
                $"sequence '{name}': within '{within}' is not a duration like 30s, 10m or 1h"),
            Steps = steps,
            Source = $"{source}:{node.Start.Line}",
        };
    }

    private static SequenceStep Step(YamlMappingNode node, string source, IStepConditionCompiler conditions)
    {
        CheckKeys(node, StepKeys, source);
        string name = Scalar(node, "name", source, required: true)!;
        var findings = new HashSet<string>(StringComparer.Ordinal);
        if (Child(node, "rules", source) is { } rulesNode)
        {
            foreach (YamlNode r in Expect<YamlSequenceNode>(rulesNode, source, "a list of rule names"))
            {
                findings.Add(Expect<YamlScalarNode>(r, source, "a rule name").Value ?? "");
            }
        }
        string? condition = Scalar(node, "condition", source);
        if (findings.Count == 0 && condition is null)
        {
            Fail(node, source, $"step '{name}' needs rules, a condition, or both");
        }
        Func<Vigil.Events.VigilEvent, bool>? compiled = null;
        IReadOnlySet<string>? types = null;
        if (condition is not null)
        {
            try
            {
                compiled = conditions.Compile(condition);
                types = conditions.EventTypes(condition);
            }
            catch (FormatException ex)
            {
                Fail(Child(node, "condition", source)!, source, $"step '{name}': {ex.Message}");
            }
        }
        string join = Scalar(node, "join", source) ?? "none";
        string optional = Scalar(node, "optional", source) ?? "false";
        return new SequenceStep
        {
            Name = name,
            Findings = findings,
            EventCondition = compiled,
            EventTypes = types,
            Join = Enum.TryParse(join.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out StepJoin j) ? j
                : throw At(Child(node, "join", source)!, source,
                    $"step '{name}': join '{join}' is not one of none, process, session, file, remote_address, container, user"),
            Optional = optional switch
            {
                "true" => true,
                "false" => false,
                _ => throw At(Child(node, "optional", source)!, source, $"step '{name}': optional must be true or false"),
            },
        };
    }

    public static TimeSpan? Duration(string text)
    {
        Match m = DurationRegex().Match(text);
        if (!m.Success)
        {
            return null;
        }
        double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromHours(n),
        };
    }

    private static void CheckKeys(YamlMappingNode node, string[] allowed, string source)
    {
        foreach (var key in node.Children.Keys)
        {
            string k = Expect<YamlScalarNode>(key, source, "a key").Value ?? "";
            if (!allowed.Contains(k))
            {
                Fail(key, source, $"unknown key '{k}' (expected one of {string.Join(", ", allowed)})");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode node, string key, string source, bool required = false)
    {
        if (node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value))
        {
            return value;
        }
        if (required)
        {
            Fail(node, source, $"missing '{key}'");
        }
        return null;
    }

    private static string? Scalar(YamlMappingNode node, string key, string source, bool required = false) =>
        Child(node, key, source, required) is { } child ? Expect<YamlScalarNode>(child, source, $"'{key}' as a single value").Value : null;

    private static T Expect<T>(YamlNode node, string source, string what) where T : YamlNode =>
        node as T ?? throw new SequenceRuleException(source, node.Start.Line, node.Start.Column, $"expected {what}");

    private static void Fail(YamlNode node, string source, string message) => throw At(node, source, message);

    private static SequenceRuleException At(YamlNode node, string source, string message) =>
        new(source, node.Start.Line, node.Start.Column, message);

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$")]
    private static partial Regex DurationRegex();
}
