namespace Vigil.Detection.Rules;

/// <summary>A rule after every append and override has been applied.</summary>
public sealed record MergedRule(string Name, SourceLocation Location)
{
    public string Condition { get; set; } = "";
    public string Output { get; set; } = "";
    public string Description { get; set; } = "";
    public string Priority { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public string? Source { get; set; }
    public bool SkipIfUnknownFilter { get; set; }
    public List<ExceptionSpec> Exceptions { get; set; } = [];
}

public sealed record MergedMacro(string Name, SourceLocation Location, string Condition);

/// <summary>
/// Applies Falco's merge semantics over the items of all files, in load order: a new definition
/// replaces an older one of the same name; <c>append: true</c> and <c>override: {key: append|replace}</c>
/// modify the existing one, and are errors when there is nothing to modify.
/// </summary>
public sealed class RuleCatalog
{
    private readonly List<RuleException> _errors = [];

    public Dictionary<string, List<string>> Lists { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, MergedMacro> Macros { get; } = new(StringComparer.Ordinal);

    /// <summary>Rules in order of first definition, as Falco reports them.</summary>
    public List<MergedRule> Rules { get; } = [];

    public IReadOnlyList<RuleException> Errors => _errors;

    public static RuleCatalog Merge(IEnumerable<RuleFileItem> items)
    {
        var catalog = new RuleCatalog();
        foreach (RuleFileItem item in items)
        {
            try
            {
                catalog.Add(item);
            }
            catch (RuleException e)
            {
                catalog._errors.Add(e.WithContext(item.Location, item.Name));
            }
        }
        return catalog;
    }

    private void Add(RuleFileItem item)
    {
        switch (item)
        {
            case ListItem list:
                if (list.Mode == MergeMode.Append)
                {
                    Existing(Lists, list.Name, "list").AddRange(list.Items);
                }
                else
                {
                    Lists[list.Name] = [.. list.Items];
                }
                break;
            case MacroItem macro:
                Macros[macro.Name] = macro.Mode == MergeMode.Append
                    ? Existing(Macros, macro.Name, "macro") with { Condition = Macros[macro.Name].Condition + " " + macro.Condition }
                    : new MergedMacro(macro.Name, macro.Location, macro.Condition);
                break;
            case RuleItem rule:
                AddRule(rule);
                break;
        }
    }

    private void AddRule(RuleItem item)
    {
        MergedRule? existing = Rules.Find(r => r.Name == item.Name);
        bool modifies = item.LegacyAppend || item.Overrides.Count > 0 || (item.Condition is null && existing is not null);
        if (!modifies)
        {
            if (existing is not null)
            {
                Rules.Remove(existing);
            }
            Rules.Add(Define(item));
            return;
        }
        if (existing is null)
        {
            throw RuleException.Error(item.Condition is null && !item.LegacyAppend && item.Overrides.Count == 0
                ? "rule has no condition"
                : "append or override of a rule that is not defined");
        }
        Modify(existing, item);
    }

    private static MergedRule Define(RuleItem item) => new(item.Name, item.Location)
    {
        Condition = item.Condition ?? throw RuleException.Error("rule has no condition"),
        Output = item.Output ?? throw RuleException.Error("rule has no output"),
        Description = item.Description ?? "",
        Priority = item.Priority ?? throw RuleException.Error("rule has no priority"),
        Tags = [.. item.Tags ?? []],
        Enabled = item.Enabled ?? true,
        Source = item.Source,
        SkipIfUnknownFilter = item.SkipIfUnknownFilter,
        Exceptions = [.. item.Exceptions ?? []],
    };

    private static void Modify(MergedRule rule, RuleItem item)
    {
        MergeMode ModeOf(string key) =>
            item.Overrides.TryGetValue(key, out MergeMode mode) ? mode : item.LegacyAppend ? MergeMode.Append : MergeMode.Replace;

        if (item.Condition is { } condition)
        {
            rule.Condition = ModeOf("condition") == MergeMode.Append ? rule.Condition + " " + condition : condition;
        }
        if (item.Output is { } output)
        {
            rule.Output = ModeOf("output") == MergeMode.Append ? rule.Output + " " + output : output;
        }
        if (item.Description is { } description)
        {
            rule.Description = ModeOf("desc") == MergeMode.Append ? rule.Description + " " + description : description;
        }
        if (item.Tags is { } tags)
        {
            rule.Tags = ModeOf("tags") == MergeMode.Append ? [.. rule.Tags, .. tags] : [.. tags];
        }
        if (item.Exceptions is { } exceptions)
        {
            rule.Exceptions = ModeOf("exceptions") == MergeMode.Append ? AppendExceptions(rule.Exceptions, exceptions) : [.. exceptions];
        }
        rule.Priority = item.Priority ?? rule.Priority;
        rule.Enabled = item.Enabled ?? rule.Enabled;
    }

    /// <summary>An appended exception with a known name adds value tuples to it; a new name adds an exception.</summary>
    private static List<ExceptionSpec> AppendExceptions(List<ExceptionSpec> current, IReadOnlyList<ExceptionSpec> added)
    {
        var merged = new List<ExceptionSpec>(current);
        foreach (ExceptionSpec exception in added)
        {
            int at = merged.FindIndex(e => e.Name == exception.Name);
            if (at < 0)
            {
                merged.Add(exception);
            }
            else
            {
                merged[at] = merged[at] with { Values = [.. merged[at].Values, .. exception.Values] };
            }
        }
        return merged;
    }

    private static T Existing<T>(Dictionary<string, T> definitions, string name, string kind) =>
        definitions.TryGetValue(name, out T? value) ? value : throw RuleException.Error($"append to {kind} '{name}', which is not defined");
}
