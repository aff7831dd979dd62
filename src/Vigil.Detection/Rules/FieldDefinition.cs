namespace Vigil.Detection.Rules;

/// <summary>The value type of a field, and with it the CLR type its accessor returns.</summary>
public enum FieldType
{
    /// <summary><c>ReadOnlyMemory&lt;char&gt;?</c>: text without copying out of the event.</summary>
    Text,

    /// <summary><c>long?</c></summary>
    Number,

    /// <summary><c>bool?</c></summary>
    Bool,

    /// <summary><c>IPAddress?</c>, compared with addresses.</summary>
    Ip,

    /// <summary><c>IPAddress?</c>, compared with networks in CIDR notation (fd.net and friends).</summary>
    Network,
}

/// <summary>How a field takes its bracket argument.</summary>
public enum FieldShape
{
    /// <summary>No argument: <c>getter(ctx)</c>.</summary>
    Scalar,

    /// <summary><c>name[N]</c> reads one index; bare <c>name</c> matches when any index from 1 (the parent) matches.</summary>
    AncestorIndexed,

    /// <summary>No argument; matches when any of its values (index 0, 1, ... until missing) matches, as fd.ip does.</summary>
    AnyOf,
}

/// <summary>
/// A Falco field as Vigil knows it: its type, where its value comes from and the static accessor
/// that reads it, or the reason it cannot be filled.
/// </summary>
public sealed record FieldDefinition(string Name, FieldType Type, FieldShape Shape, string Source, Delegate? Getter, string? UnsupportedReason)
{
    public bool IsSupported => Getter is not null;
}
