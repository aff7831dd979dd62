using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Vigil.Bench.Eval;

/// <summary>What a scenario's incident must look like: its title and where its root cause must be.</summary>
public sealed record ScenarioExpectation
{
    /// <summary>A finding the scenario's incident must hold: a sequence or rule name.</summary>
    public string Finding { get; init; } = "";

    /// <summary>The root-cause signal (the first malicious action): a rule's name, or "sequence: step" for a plain event that was a sequence's step.</summary>
    public string RootCause { get; init; } = "";
}

/// <summary>
/// One reproducible behaviour: tests/scenarios/NAME/scenario.yaml says what it is and what must be
/// concluded; run.sh does it, locally and only on what it creates, printing `VIGIL-MARK end` right
/// after its last malicious action (time to detect counts from there).
/// </summary>
public sealed record Scenario
{
    public string Name { get; init; } = "";

    public string Description { get; init; } = "";

    /// <summary>attack: must be detected; benign: must produce no incident.</summary>
    public string Kind { get; init; } = "";

    public ScenarioExpectation? Expect { get; init; }

    public string Script { get; init; } = "";

    public bool IsAttack => Kind == "attack";

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Every scenario under a directory, in name order; a malformed one fails with its file and position.</summary>
    public static List<Scenario> LoadAll(string directory)
    {
        var scenarios = new List<Scenario>();
        foreach (string dir in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            string file = Path.Combine(dir, "scenario.yaml");
            string script = Path.Combine(dir, "run.sh");
            if (!File.Exists(file) || !File.Exists(script))
            {
                throw new InvalidDataException($"{dir}: a scenario needs scenario.yaml and run.sh");
            }
            Scenario s;
            try
            {
                s = Reader.Deserialize<Scenario>(File.ReadAllText(file)) ?? throw new InvalidDataException($"{file}: empty");
            }
            catch (YamlException ex)
            {
                throw new InvalidDataException($"{file}:{ex.Start.Line}:{ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}", ex);
            }
            s = s with { Name = Path.GetFileName(dir), Script = script };
            if (s.Kind is not ("attack" or "benign"))
            {
                throw new InvalidDataException($"{file}: kind must be attack or benign, not '{s.Kind}'");
            }
            if (s.IsAttack && (s.Expect is null || s.Expect.Finding.Length == 0 || s.Expect.RootCause.Length == 0))
            {
                throw new InvalidDataException($"{file}: an attack needs expect.finding and expect.root_cause");
            }
            scenarios.Add(s);
        }
        return scenarios;
    }
}
