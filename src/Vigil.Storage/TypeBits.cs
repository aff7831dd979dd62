namespace Vigil.Storage;

/// <summary>
/// A block's event types as 64 bits: one for the whole name (process.exec), one for the family
/// (process), one for the last part (exec), each at a stable hash of the text. A query's type sets one
/// bit; a block without it holds no such event (a block with it may still hold none: the events are checked).
/// </summary>
internal static class TypeBits
{
    private static readonly string[] Families = ["process", "file", "network", "privilege", "xdp"];

    public static long Of(string type)
    {
        int dot = type.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? Bit(type, 0) : Bit(type, 0) | Bit(type[..dot], 1) | Bit(type[(dot + 1)..], 2);
    }

    /// <summary>The bit a query's type filter needs: a name (process.exec), a family (process) or a last part (exec), as <see cref="EdgeStore.Events"/> reads it.</summary>
    public static long Query(string type) =>
        type.Contains('.', StringComparison.Ordinal) ? Bit(type, 0) : Families.Contains(type) ? Bit(type, 1) : Bit(type, 2);

    /// <summary>FNV-1a of the text (stable across processes, unlike string.GetHashCode), into a third of the 64 bits by <paramref name="part"/>.</summary>
    private static long Bit(string text, int part)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }
        return 1L << ((part * 21) + (int)(hash % 21));
    }
}
