using System.Text;

namespace Vigil.Sensors.Judging;

/// <summary>Which selector a path entry serves.</summary>
internal enum PathRole
{
    Path,
    Binary,
    Parent,
}

/// <summary>
/// The entries of the path trie. The kernel's LPM lookup returns only the longest matching entry, so
/// every entry carries, besides its own rules, those of every shorter entry that is a prefix of it.
/// An exact path is its bytes plus the terminating NUL: no prefix holds a NUL, so it matches only itself.
/// </summary>
internal sealed class PathTrie
{
    private readonly Dictionary<string, PathMasksRecord> _own = new(StringComparer.Ordinal);

    public void AddPrefix(string prefix, PathRole role, int rule) => Add(Key(prefix, exact: false), role, rule);

    public void AddExact(string path, PathRole role, int rule) => Add(Key(path, exact: true), role, rule);

    /// <summary>Each entry's key bytes with its rules and those of its shorter prefixes.</summary>
    public IEnumerable<(byte[] Key, PathMasksRecord Masks)> Entries()
    {
        foreach ((string key, PathMasksRecord own) in _own)
        {
            PathMasksRecord masks = own;
            for (int length = 1; length < key.Length; length++)
            {
                if (_own.TryGetValue(key[..length], out PathMasksRecord shorter))
                {
                    masks.Path |= shorter.Path;
                    masks.Binary |= shorter.Binary;
                    masks.Parent |= shorter.Parent;
                }
            }
            yield return (Encoding.Latin1.GetBytes(key), masks);
        }
    }

    /// <summary>Path bytes as a string of one char per byte, so prefixes of the string are prefixes of the bytes.</summary>
    private static string Key(string path, bool exact) =>
        Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(exact ? path + "\0" : path));

    private void Add(string key, PathRole role, int rule)
    {
        _own.TryGetValue(key, out PathMasksRecord masks);
        ulong bit = 1UL << rule;
        switch (role)
        {
            case PathRole.Path:
                masks.Path |= bit;
                break;
            case PathRole.Binary:
                masks.Binary |= bit;
                break;
            case PathRole.Parent:
                masks.Parent |= bit;
                break;
        }
        _own[key] = masks;
    }
}
