using System.Collections.Frozen;

namespace Vigil.Detection.Rules;

/// <summary>The values of an <c>in</c> list over text, looked up by span so no string is built per event.</summary>
public sealed class TextSet
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TextSet(IEnumerable<string> values)
    {
        FrozenSet<string> set = values.ToFrozenSet(StringComparer.Ordinal);
        _lookup = set.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool Contains(ReadOnlySpan<char> value) => _lookup.Contains(value);
}
