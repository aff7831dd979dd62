using Vigil.Testing;
using Vigil.Detection.Rules;

namespace Vigil.Detection.Tests;

public sealed class DocumentationTests
{
    [Fact]
    public void Every_registered_field_is_documented()
    {
        string doc = File.ReadAllText(Path.Combine(FalcoRulesLocation.RepositoryRoot, "docs", "rules.md"));
        Assert.All(FieldRegistry.Default.All, f => Assert.Contains($"| `{f.Name}", doc, StringComparison.Ordinal));
    }
}
