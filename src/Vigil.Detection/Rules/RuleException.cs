namespace Vigil.Detection.Rules;

/// <summary>Where a problem was found: file, 1-based line and column, and the rule, macro or list it belongs to.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

public enum RuleProblemKind
{
    /// <summary>The definition is wrong: bad YAML, unknown macro or field, type mismatch, bad pattern.</summary>
    Error,

    /// <summary>The definition is valid Falco but uses a field or construct Vigil cannot fill.</summary>
    Unsupported,
}

/// <summary>A problem with one rule file item, carrying enough context to point the author at it.</summary>
public sealed class RuleException : Exception
{
    public RuleException(RuleProblemKind kind, string message, SourceLocation? location = null, string? itemName = null)
        : base(message)
    {
        Kind = kind;
        Location = location;
        ItemName = itemName;
    }

    public RuleException()
        : this(RuleProblemKind.Error, "rule error")
    {
    }

    public RuleException(string message)
        : this(RuleProblemKind.Error, message)
    {
    }

    public RuleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RuleProblemKind Kind { get; }

    public SourceLocation? Location { get; }

    /// <summary>Name of the rule, macro or list the problem belongs to, when known.</summary>
    public string? ItemName { get; }

    /// <summary>The same problem, attributed to an item and a location when it has none yet.</summary>
    public RuleException WithContext(SourceLocation location, string itemName) =>
        new(Kind, Message, Location ?? location, ItemName ?? itemName);

    public static RuleException Error(string message) => new(RuleProblemKind.Error, message);

    public static RuleException Unsupported(string message) => new(RuleProblemKind.Unsupported, message);

    public override string ToString()
    {
        string where = Location is { } l ? $"{l}: " : "";
        string what = ItemName is null ? "" : $"'{ItemName}': ";
        return $"{where}{what}{Message}";
    }
}
