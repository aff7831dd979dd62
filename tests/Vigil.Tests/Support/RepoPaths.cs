using Vigil.Testing;

namespace Vigil.Tests.Support;

public static class RepoPaths
{
    public static string Root { get; } = FalcoRulesLocation.RepositoryRoot;

    /// <summary>The built CLI of the same configuration as these tests.</summary>
    public static string Cli { get; } = Path.Combine(
        Root, "artifacts", "bin", "Vigil.Agent", Path.GetFileName(AppContext.BaseDirectory.TrimEnd('/')), "vigil");
}
