using System.Diagnostics;
using CsCheck;
using Vigil.Detection.Rules;

namespace Vigil.Detection.Tests;

/// <summary>
/// Random and mutated conditions must either parse and compile or fail with a <see cref="RuleException"/>:
/// never another exception, never a hang. Bounded by iteration count and a wall-clock budget.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly string[] Fragments =
    [
        "proc.name", "proc.aname[2]", "proc.aname", "fd.name", "fd.sip", "fd.snet", "evt.type", "proc.pid", "evt.arg.flags", "evt.arg[1]",
        "=", "!=", "<", ">=", "in", "intersects", "contains", "icontains", "startswith", "endswith", "glob", "pmatch", "exists", "regex",
        "and", "or", "not", "(", ")", ",", "[", "]", "\"", "'", "\\", "sh", "/etc/", "10.0.0.0/8", "-1", "'*.log'", "\"a b\"",
        "val(", "toupper(", "spawned_process", "shell_binaries", "%", "\n", " ",
    ];

    private const string Prelude = """
        - list: shell_binaries
          items: [sh, bash]
        - macro: spawned_process
          condition: evt.type in (execve, execveat)
        """;

    private static readonly RuleCatalog Catalog = RuleCatalog.Merge(RuleFileReader.Read("fuzz.yaml", Prelude).Items);

    private static readonly Gen<string> Token = Gen.OneOf(Fragments);

    private static readonly Gen<string> TokenConditions = Token.Array[0, 24].Select(parts => string.Join(' ', parts));

    private static readonly Gen<string> MutatedConditions =
        Gen.Select(
            Gen.OneOf(
                "spawned_process and proc.name in (shell_binaries) and not proc.pname exists",
                "(fd.name startswith /etc/ or fd.directory in (/root)) and fd.snet != \"10.0.0.0/8\"",
                "proc.aname[2] = sshd and proc.cmdline icontains 'x' and fd.name glob '/home/*/.ssh/*'"),
            Gen.Int[0, 80],
            Gen.Int[0, 8],
            Gen.String[0, 6],
            (text, at, cut, insert) =>
            {
                int start = Math.Min(at, text.Length);
                return text[..start] + insert + text[Math.Min(text.Length, start + cut)..];
            });

    [Fact]
    public void Token_soup_never_crashes() => Sample(TokenConditions);

    [Fact]
    public void Mutated_conditions_never_crash() => Sample(MutatedConditions);

    [Fact]
    public void Arbitrary_text_never_crashes() => Sample(Gen.String[0, 60]);

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        string deep = new string('(', 100_000) + "proc.name = a" + new string(')', 100_000);
        Assert.Throws<RuleException>(() => ConditionParser.Parse(deep));
        Assert.Throws<RuleException>(() => ConditionParser.Parse(string.Concat(Enumerable.Repeat("not ", 100_000)) + "proc.name = a"));
    }

    private static void Sample(Gen<string> conditions)
    {
        var clock = Stopwatch.StartNew();
        conditions.Sample(condition =>
        {
            try
            {
                var expander = new ConditionExpander(Catalog.Macros, Catalog.Lists);
                ConditionNode tree = expander.Expand(ConditionParser.Parse(condition));
                ConditionCompiler.Validate(tree, FieldRegistry.Default);
                ConditionCompiler.Compile(tree, FieldRegistry.Default);
            }
            catch (RuleException)
            {
                // Rejected with a rule error: the expected outcome for most random input.
            }
        }, iter: 2000);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"fuzzing took {clock.Elapsed}");
    }
}
