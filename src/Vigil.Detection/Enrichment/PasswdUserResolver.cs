using System.Collections.Frozen;

namespace Vigil.Detection.Enrichment;

/// <summary>
/// Resolves names from /etc/passwd and /etc/group, read once and cached: the files change rarely
/// and evaluation must not touch the disk. Ids missing from the files resolve to null.
/// </summary>
public sealed class PasswdUserResolver(FrozenDictionary<uint, string> users, FrozenDictionary<uint, string> groups) : IUserResolver
{
    private static readonly Lazy<PasswdUserResolver> SystemResolver = new(() => FromFiles("/etc/passwd", "/etc/group"));

    public static PasswdUserResolver System => SystemResolver.Value;

    public string? UserName(uint uid) => users.GetValueOrDefault(uid);

    public string? GroupName(uint gid) => groups.GetValueOrDefault(gid);

    public static PasswdUserResolver FromFiles(string passwdPath, string groupPath) =>
        new(ReadIdFile(passwdPath), ReadIdFile(groupPath));

    /// <summary>Both files share the layout <c>name:password:id:...</c>.</summary>
    public static FrozenDictionary<uint, string> ParseIdFile(IEnumerable<string> lines)
    {
        var names = new Dictionary<uint, string>();
        foreach (string line in lines)
        {
            string[] parts = line.Split(':');
            if (parts.Length >= 3 && uint.TryParse(parts[2], out uint id))
            {
                names.TryAdd(id, parts[0]);
            }
        }
        return names.ToFrozenDictionary();
    }

    private static FrozenDictionary<uint, string> ReadIdFile(string path) =>
        File.Exists(path) ? ParseIdFile(File.ReadLines(path)) : FrozenDictionary<uint, string>.Empty;
}
