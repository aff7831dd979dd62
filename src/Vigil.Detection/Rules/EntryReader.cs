using YamlDotNet.RepresentationModel;

namespace Vigil.Detection.Rules;

/// <summary>Typed access to the keys of one rule-file entry, failing with the key's own location.</summary>
internal sealed class EntryReader(string file, YamlMappingNode map, SourceLocation entryLocation)
{
    private static readonly string[] AppendableRuleKeys = ["condition", "output", "desc", "tags", "exceptions"];

    public bool Has(string key) => Find(key) is not null;

    public string RequiredScalar(string key, string? itemName = null) =>
        Scalar(key, itemName) ?? throw new RuleException(RuleProblemKind.Error, $"missing '{key}'", entryLocation, itemName);

    public string? Scalar(string key, string? itemName)
    {
        YamlNode? node = Find(key);
        return node switch
        {
            null => null,
            YamlScalarNode s => s.Value ?? "",
            _ => throw Fail(node, $"'{key}' must be a scalar", itemName),
        };
    }

    public bool? Bool(string key, string itemName)
    {
        string? text = Scalar(key, itemName);
        return text is null ? null
            : bool.TryParse(text, out bool value) ? value
            : throw Fail(Find(key)!, $"'{key}' must be true or false, not '{text}'", itemName);
    }

    public IReadOnlyList<string>? StringList(string key, string itemName)
    {
        YamlNode? node = Find(key);
        return node switch
        {
            null => null,
            YamlSequenceNode seq => seq.Children.Select(c => ScalarOf(c, key, itemName)).ToList(),
            YamlScalarNode { Value: null or "" } => [],
            _ => throw Fail(node, $"'{key}' must be a sequence", itemName),
        };
    }

    /// <summary>Lists and macros support legacy <c>append: true</c> and <c>override: {items|condition: append|replace}</c>.</summary>
    public MergeMode ListOrMacroMode(string key, string itemName)
    {
        if (Bool("append", itemName) == true)
        {
            return MergeMode.Append;
        }
        IReadOnlyDictionary<string, MergeMode> overrides = Overrides(itemName, [key]);
        return overrides.TryGetValue(key, out MergeMode mode) ? mode : MergeMode.Define;
    }

    public RuleItem Rule(string name)
    {
        return new RuleItem(name, entryLocation)
        {
            Condition = Scalar("condition", name),
            Output = Scalar("output", name),
            Description = Scalar("desc", name),
            Priority = Scalar("priority", name),
            Tags = StringList("tags", name),
            Enabled = Bool("enabled", name),
            Source = Scalar("source", name),
            SkipIfUnknownFilter = Bool("skip-if-unknown-filter", name) ?? false,
            Exceptions = Exceptions(name),
            LegacyAppend = Bool("append", name) ?? false,
            Overrides = Overrides(name, [.. AppendableRuleKeys, "priority", "enabled"]),
        };
    }

    private IReadOnlyDictionary<string, MergeMode> Overrides(string itemName, IReadOnlyCollection<string> allowedKeys)
    {
        var result = new Dictionary<string, MergeMode>(StringComparer.Ordinal);
        YamlNode? node = Find("override");
        if (node is null)
        {
            return result;
        }
        if (node is not YamlMappingNode overrides)
        {
            throw Fail(node, "'override' must be a mapping of key: append|replace", itemName);
        }
        foreach ((YamlNode keyNode, YamlNode valueNode) in overrides.Children)
        {
            string key = ScalarOf(keyNode, "override", itemName);
            string how = ScalarOf(valueNode, key, itemName);
            if (!allowedKeys.Contains(key))
            {
                throw Fail(keyNode, $"'{key}' cannot be overridden", itemName);
            }
            result[key] = how switch
            {
                "append" when AppendableRuleKeys.Contains(key) || key == "items" => MergeMode.Append,
                "replace" => MergeMode.Replace,
                _ => throw Fail(valueNode, $"override of '{key}' must be 'append' or 'replace', not '{how}'", itemName),
            };
        }
        return result;
    }

    private List<ExceptionSpec>? Exceptions(string ruleName)
    {
        YamlNode? node = Find("exceptions");
        if (node is null)
        {
            return null;
        }
        if (node is not YamlSequenceNode seq)
        {
            throw Fail(node, "'exceptions' must be a sequence", ruleName);
        }
        var specs = new List<ExceptionSpec>();
        foreach (YamlNode child in seq)
        {
            if (child is not YamlMappingNode exceptionMap)
            {
                throw Fail(child, "an exception must be a mapping", ruleName);
            }
            specs.Add(new EntryReader(file, exceptionMap, At(child)).Exception(ruleName));
        }
        return specs;
    }

    private ExceptionSpec Exception(string ruleName)
    {
        string name = RequiredScalar("name", ruleName);
        YamlNode? fieldsNode = Find("fields");
        bool single = fieldsNode is YamlScalarNode;
        IReadOnlyList<string> fields = single ? [ScalarOf(fieldsNode!, "fields", ruleName)] : StringList("fields", ruleName) ?? [];
        IReadOnlyList<string> comps = Find("comps") is YamlScalarNode ? [RequiredScalar("comps", ruleName)] : StringList("comps", ruleName) ?? [];
        if (comps.Count == 0)
        {
            // Falco's defaults: one field compares with "in" against the value list, tuples compare with "=".
            comps = Enumerable.Repeat(single ? "in" : "=", fields.Count).ToList();
        }
        if (comps.Count != fields.Count)
        {
            throw new RuleException(RuleProblemKind.Error, $"exception '{name}': {fields.Count} fields but {comps.Count} comps", entryLocation, ruleName);
        }
        var values = new List<IReadOnlyList<ExceptionValue>>();
        if (Find("values") is YamlSequenceNode valueSeq)
        {
            foreach (YamlNode tuple in valueSeq)
            {
                values.Add(single ? [ValueOf(tuple, ruleName)] : TupleOf(tuple, fields.Count, name, ruleName));
            }
        }
        return new ExceptionSpec(name, entryLocation, fields, comps, values, single);
    }

    /// <summary>A tuple of values; width 0 (an appending entry that repeats no fields) takes the tuple as written.</summary>
    private List<ExceptionValue> TupleOf(YamlNode tuple, int width, string exceptionName, string ruleName)
    {
        if (width == 0)
        {
            return tuple is YamlSequenceNode written ? written.Children.Select(v => ValueOf(v, ruleName)).ToList() : [ValueOf(tuple, ruleName)];
        }
        if (tuple is not YamlSequenceNode items || items.Children.Count != width)
        {
            throw Fail(tuple, $"exception '{exceptionName}': each value must be a sequence of {width} values", ruleName);
        }
        return items.Children.Select(v => ValueOf(v, ruleName)).ToList();
    }

    private ExceptionValue ValueOf(YamlNode node, string ruleName) => node switch
    {
        YamlSequenceNode list => new ExceptionValue(null, list.Children.Select(c => ScalarOf(c, "values", ruleName)).ToList()),
        _ => new ExceptionValue(ScalarOf(node, "values", ruleName), null),
    };

    private YamlNode? Find(string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? value : null;

    private string ScalarOf(YamlNode node, string key, string itemName) =>
        node is YamlScalarNode s ? s.Value ?? "" : throw Fail(node, $"'{key}' items must be scalars", itemName);

    private SourceLocation At(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    private RuleException Fail(YamlNode node, string message, string? itemName) =>
        new(RuleProblemKind.Error, message, At(node), itemName);
}
