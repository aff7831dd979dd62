namespace Vigil.Detection.Rules;

/// <summary>How a definition combines with an earlier one of the same name.</summary>
public enum MergeMode
{
    /// <summary>A fresh definition; replaces any earlier one.</summary>
    Define,
    Append,
    Replace,
}

/// <summary>One top-level entry of a rule file: a list, a macro or a rule.</summary>
public abstract record RuleFileItem(string Name, SourceLocation Location);

public sealed record ListItem(string Name, SourceLocation Location, IReadOnlyList<string> Items, MergeMode Mode)
    : RuleFileItem(Name, Location);

public sealed record MacroItem(string Name, SourceLocation Location, string Condition, MergeMode Mode)
    : RuleFileItem(Name, Location);

/// <summary>
/// A rule entry as written. Every property is optional because append and override entries carry
/// only what they change; <see cref="Overrides"/> maps a property to how it combines.
/// </summary>
public sealed record RuleItem(string Name, SourceLocation Location) : RuleFileItem(Name, Location)
{
    public string? Condition { get; init; }
    public string? Output { get; init; }
    public string? Description { get; init; }
    public string? Priority { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public string? Source { get; init; }
    public bool SkipIfUnknownFilter { get; init; }
    public IReadOnlyList<ExceptionSpec>? Exceptions { get; init; }

    /// <summary>Legacy <c>append: true</c>: condition, output, desc, tags and exceptions are appended.</summary>
    public bool LegacyAppend { get; init; }

    public IReadOnlyDictionary<string, MergeMode> Overrides { get; init; } = new Dictionary<string, MergeMode>();
}

/// <summary>
/// A rule exception: fields, comparison operators and tuples of values. Each tuple becomes
/// <c>(f1 c1 v1 and f2 c2 v2)</c> and the rule gets <c>and not (tuple or tuple ...)</c>.
/// </summary>
public sealed record ExceptionSpec(
    string Name,
    SourceLocation Location,
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> Comps,
    IReadOnlyList<IReadOnlyList<ExceptionValue>> Values,
    bool SingleField);

/// <summary>One value in an exception tuple: a scalar, or a list of scalars for <c>in</c>-style operators.</summary>
public sealed record ExceptionValue(string? Scalar, IReadOnlyList<string>? List);
