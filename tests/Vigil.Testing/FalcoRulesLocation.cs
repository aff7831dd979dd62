namespace Vigil.Testing;

/// <summary>
/// Where Falco's published rule files are: VIGIL_FALCO_RULES when set, else ../shared/falco-rules
/// relative to the repository root. Tests that need them skip, saying why, when they are absent.
/// </summary>
public static class FalcoRulesLocation
{
    public static string Directory =>
        Environment.GetEnvironmentVariable("VIGIL_FALCO_RULES") is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "falco-rules"));

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("repository root (Vigil.slnx) not found");
        }
    }

    public static string StableRules => File("falco_rules.yaml");

    public static string File(string name)
    {
        string path = Path.Combine(Directory, name);
        if (!System.IO.File.Exists(path))
        {
            Assert.Skip($"Falco rules not found at {path}; set VIGIL_FALCO_RULES to their directory");
        }
        return path;
    }
}
