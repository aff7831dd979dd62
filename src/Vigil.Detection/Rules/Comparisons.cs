using System.Collections.Frozen;
using System.Net;
using System.Text.RegularExpressions;

namespace Vigil.Detection.Rules;

/// <summary>
/// The operators compiled conditions call. A missing value (null) fails every comparison, including
/// <c>!=</c>; only <c>exists</c> looks at presence. Text compares ordinally on spans: no allocation.
/// </summary>
internal static class Comparisons
{
    public static bool Equal(ReadOnlyMemory<char>? v, string literal) => v is { } m && m.Span.SequenceEqual(literal);

    public static bool NotEqual(ReadOnlyMemory<char>? v, string literal) => v is { } m && !m.Span.SequenceEqual(literal);

    public static bool In(ReadOnlyMemory<char>? v, TextSet set) => v is { } m && set.Contains(m.Span);

    public static bool Contains(ReadOnlyMemory<char>? v, string needle) => v is { } m && m.Span.Contains(needle, StringComparison.Ordinal);

    public static bool IContains(ReadOnlyMemory<char>? v, string needle) => v is { } m && m.Span.Contains(needle, StringComparison.OrdinalIgnoreCase);

    public static bool StartsWith(ReadOnlyMemory<char>? v, string prefix) => v is { } m && m.Span.StartsWith(prefix, StringComparison.Ordinal);

    public static bool EndsWith(ReadOnlyMemory<char>? v, string suffix) => v is { } m && m.Span.EndsWith(suffix, StringComparison.Ordinal);

    public static bool Matches(ReadOnlyMemory<char>? v, Regex pattern) => v is { } m && pattern.IsMatch(m.Span);

    public static bool PMatch(ReadOnlyMemory<char>? v, PathPrefixSet paths) => v is { } m && paths.Matches(m.Span);

    public static bool Exists(ReadOnlyMemory<char>? v) => v.HasValue;

    public static bool Equal(long? v, long literal) => v == literal;

    public static bool NotEqual(long? v, long literal) => v is { } n && n != literal;

    public static bool Less(long? v, long literal) => v < literal;

    public static bool LessOrEqual(long? v, long literal) => v <= literal;

    public static bool Greater(long? v, long literal) => v > literal;

    public static bool GreaterOrEqual(long? v, long literal) => v >= literal;

    public static bool In(long? v, FrozenSet<long> set) => v is { } n && set.Contains(n);

    public static bool Exists(long? v) => v.HasValue;

    public static bool Equal(bool? v, bool literal) => v == literal;

    public static bool NotEqual(bool? v, bool literal) => v is { } b && b != literal;

    public static bool Exists(bool? v) => v.HasValue;

    public static bool Equal(IPAddress? v, IPAddress literal) => v is not null && v.Equals(literal);

    public static bool NotEqual(IPAddress? v, IPAddress literal) => v is not null && !v.Equals(literal);

    public static bool In(IPAddress? v, IPAddress[] set) => v is not null && Array.IndexOf(set, v) >= 0;

    public static bool InNetwork(IPAddress? v, IPNetwork network) => v is not null && network.Contains(v);

    public static bool NotInNetwork(IPAddress? v, IPNetwork network) => v is not null && !network.Contains(v);

    public static bool InAnyNetwork(IPAddress? v, IPNetwork[] networks)
    {
        if (v is null)
        {
            return false;
        }
        foreach (IPNetwork network in networks)
        {
            if (network.Contains(v))
            {
                return true;
            }
        }
        return false;
    }

    public static bool Exists(IPAddress? v) => v is not null;
}
