namespace Vigil.Detection.Rules;

/// <summary>
/// The list of a <c>pmatch</c>: a path matches when it is one of the paths or lies beneath one,
/// at a component boundary (<c>/etc</c> matches <c>/etc/passwd</c>, not <c>/etcd</c>).
/// </summary>
public sealed class PathPrefixSet(IEnumerable<string> paths)
{
    private readonly string[] _prefixes = paths.Select(p => p.Length > 1 ? p.TrimEnd('/') : p).ToArray();

    public bool Matches(ReadOnlySpan<char> path)
    {
        foreach (string prefix in _prefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal)
                && (path.Length == prefix.Length || prefix.EndsWith('/') || path[prefix.Length] == '/'))
            {
                return true;
            }
        }
        return false;
    }
}
