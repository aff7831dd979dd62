namespace Vigil.Tests.Support;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built CLI of the same configuration as these tests.</summary>
    public static string Cli { get; } = Path.Combine(
        Root, "artifacts", "bin", "Vigil.Agent", Path.GetFileName(AppContext.BaseDirectory.TrimEnd('/')), "vigil");

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Vigil.slnx")))
            {
                return dir;
            }
        }
        throw new InvalidOperationException("tests must run inside the repository (Vigil.slnx not found)");
    }
}
