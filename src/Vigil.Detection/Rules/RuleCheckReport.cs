using System.Text;

namespace Vigil.Detection.Rules;

public enum RuleState
{
    Active,
    Skipped,
    Disabled,
    Error,
}

/// <summary>The outcome for one rule: active, skipped (with the exact field or construct), disabled, or in error.</summary>
public sealed record RuleStatus(string Name, RuleState State, SourceLocation Location, string? Reason, IReadOnlySet<string>? EventTypes);

/// <summary>What loading rule files produced, for <c>vigil rules check</c> and for startup logs.</summary>
public sealed record RuleCheckReport(IReadOnlyList<RuleStatus> Rules, IReadOnlyList<RuleException> Errors)
{
    public int Count(RuleState state) => Rules.Count(r => r.State == state);

    public RuleStatus? Find(string name) => Rules.FirstOrDefault(r => r.Name == name);

    public bool HasErrors => Errors.Count > 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (RuleStatus rule in Rules)
        {
            string detail = rule.State switch
            {
                RuleState.Active => rule.EventTypes is null ? "(any event type)" : $"({string.Join(", ", rule.EventTypes.Order(StringComparer.Ordinal))})",
                _ => rule.Reason ?? "",
            };
            text.Append(rule.State.ToString().ToUpperInvariant().PadRight(9)).Append(rule.Name).Append(": ").AppendLine(detail);
        }
        foreach (RuleException error in Errors)
        {
            text.Append("ERROR    ").AppendLine(error.ToString());
        }
        text.Append(Rules.Count).Append(" rules: ")
            .Append(Count(RuleState.Active)).Append(" active, ")
            .Append(Count(RuleState.Skipped)).Append(" skipped, ")
            .Append(Count(RuleState.Disabled)).Append(" disabled; ")
            .Append(Errors.Count).AppendLine(" errors");
        return text.ToString();
    }
}
