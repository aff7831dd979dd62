namespace Vigil.Detection.Rules;

public enum CompareOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    Intersects,
    PMatch,
    Contains,
    IContains,
    StartsWith,
    EndsWith,
    Glob,
    IGlob,
    Regex,
    Exists,
}

public static class CompareOperators
{
    private static readonly Dictionary<string, CompareOperator> ByText = new(StringComparer.Ordinal)
    {
        ["="] = CompareOperator.Equal,
        ["=="] = CompareOperator.Equal,
        ["!="] = CompareOperator.NotEqual,
        ["<"] = CompareOperator.Less,
        ["<="] = CompareOperator.LessOrEqual,
        [">"] = CompareOperator.Greater,
        [">="] = CompareOperator.GreaterOrEqual,
        ["in"] = CompareOperator.In,
        ["intersects"] = CompareOperator.Intersects,
        ["pmatch"] = CompareOperator.PMatch,
        ["contains"] = CompareOperator.Contains,
        ["icontains"] = CompareOperator.IContains,
        ["startswith"] = CompareOperator.StartsWith,
        ["endswith"] = CompareOperator.EndsWith,
        ["glob"] = CompareOperator.Glob,
        ["iglob"] = CompareOperator.IGlob,
        ["regex"] = CompareOperator.Regex,
        ["exists"] = CompareOperator.Exists,
    };

    /// <summary>Falco operators Vigil recognises but does not evaluate (byte-buffer comparisons).</summary>
    private static readonly HashSet<string> UnsupportedWords = new(StringComparer.Ordinal) { "bcontains", "bstartswith" };

    public static bool TryParse(string text, out CompareOperator op) => ByText.TryGetValue(text, out op);

    public static bool IsUnsupported(string text) => UnsupportedWords.Contains(text);

    /// <summary>Operators whose operand is a parenthesised list.</summary>
    public static bool TakesList(this CompareOperator op) =>
        op is CompareOperator.In or CompareOperator.Intersects or CompareOperator.PMatch;
}
