namespace Vigil.Sensors.Network;

/// <summary>A bit prefix (left-aligned in 128 bits) and the rules it stands for.</summary>
public readonly record struct PrefixEntry(UInt128 Bits, int Length, ulong Rules)
{
    public static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    public bool Contains(PrefixEntry other) => Length <= other.Length && (other.Bits & Mask(Length)) == Bits;
}

/// <summary>
/// Prepares prefixes for a longest-prefix-match trie that must answer "every rule whose prefixes
/// contain this value" with one lookup. Prefixes nest or are disjoint, so the prefixes containing a
/// value form a chain; giving each prefix the rules of all its ancestors makes the longest one the
/// whole answer.
/// </summary>
public static class PrefixMasks
{
    public static List<PrefixEntry> Build(IEnumerable<PrefixEntry> prefixes)
    {
        var merged = new Dictionary<(UInt128, int), ulong>();
        foreach (PrefixEntry p in prefixes)
        {
            (UInt128, int) key = (p.Bits & PrefixEntry.Mask(p.Length), p.Length);
            merged[key] = merged.GetValueOrDefault(key) | p.Rules;
        }
        var sorted = merged.Select(m => new PrefixEntry(m.Key.Item1, m.Key.Item2, m.Value))
            .OrderBy(p => p.Bits).ThenBy(p => p.Length).ToList();
        var result = new List<PrefixEntry>(sorted.Count);
        var ancestors = new Stack<PrefixEntry>();
        foreach (PrefixEntry p in sorted)
        {
            while (ancestors.Count > 0 && !ancestors.Peek().Contains(p))
            {
                ancestors.Pop();
            }
            PrefixEntry withAncestors = p with { Rules = p.Rules | (ancestors.Count > 0 ? ancestors.Peek().Rules : 0) };
            ancestors.Push(withAncestors);
            result.Add(withAncestors);
        }
        return result;
    }

    /// <summary>The fewest 16-bit prefixes covering exactly the ports of <paramref name="range"/>.</summary>
    public static IEnumerable<PrefixEntry> Ports(PortRange range, ulong rules)
    {
        int first = range.First;
        while (first <= range.Last)
        {
            int size = first == 0 ? 16 : int.Min(16, System.Numerics.BitOperations.TrailingZeroCount(first));
            while (first + (1 << size) - 1 > range.Last)
            {
                size--;
            }
            yield return new PrefixEntry((UInt128)(uint)first << 112, 16 - size, rules);
            first += 1 << size;
        }
    }
}
