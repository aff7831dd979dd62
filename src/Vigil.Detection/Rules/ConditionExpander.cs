namespace Vigil.Detection.Rules;

/// <summary>
/// Replaces macro references with their parsed conditions and list names in value lists with
/// their items, recursively, over the final (merged) macros and lists. Cycles are errors.
/// </summary>
public sealed class ConditionExpander(IReadOnlyDictionary<string, MergedMacro> macros, IReadOnlyDictionary<string, List<string>> lists)
{
    private readonly Dictionary<string, ConditionNode> _parsedMacros = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _resolvedLists = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);

    public ConditionNode Expand(ConditionNode node) => node switch
    {
        AndNode and => new AndNode(Expand(and.Left), Expand(and.Right)),
        OrNode or => new OrNode(Expand(or.Left), Expand(or.Right)),
        NotNode not => new NotNode(Expand(not.Operand)),
        MacroReferenceNode macro => ExpandMacro(macro),
        CheckNode { Operand: { IsList: true } operand } check => check with { Operand = operand with { Values = ExpandValues(operand.Values, []) } },
        _ => node,
    };

    /// <summary>Parses a macro's own condition, for reporting a broken macro at its definition.</summary>
    public ConditionNode ParseMacro(MergedMacro macro)
    {
        if (!_parsedMacros.TryGetValue(macro.Name, out ConditionNode? parsed))
        {
            parsed = ConditionParser.Parse(macro.Condition);
            _parsedMacros[macro.Name] = parsed;
        }
        return parsed;
    }

    private ConditionNode ExpandMacro(MacroReferenceNode reference)
    {
        if (!macros.TryGetValue(reference.Name, out MergedMacro? macro))
        {
            throw RuleException.Error(reference.Name.Contains('.', StringComparison.Ordinal)
                ? $"'{reference.Name}' is neither a macro nor followed by an operator"
                : $"unknown macro '{reference.Name}'");
        }
        if (!_expanding.Add(macro.Name))
        {
            throw RuleException.Error($"macro '{macro.Name}' refers to itself");
        }
        try
        {
            ConditionNode parsed;
            try
            {
                parsed = ParseMacro(macro);
            }
            catch (RuleException e)
            {
                throw new RuleException(e.Kind, $"macro '{macro.Name}' ({macro.Location}): {e.Message}");
            }
            return Expand(parsed);
        }
        finally
        {
            _expanding.Remove(macro.Name);
        }
    }

    private List<OperandValue> ExpandValues(IEnumerable<OperandValue> values, HashSet<string> visiting)
    {
        var expanded = new List<OperandValue>();
        foreach (OperandValue value in values)
        {
            if (!value.Quoted && lists.ContainsKey(value.Text))
            {
                expanded.AddRange(ResolveList(value.Text, visiting).Select(item => new OperandValue(item, Quoted: true)));
            }
            else
            {
                expanded.Add(value);
            }
        }
        return expanded;
    }

    private IReadOnlyList<string> ResolveList(string name, HashSet<string> visiting)
    {
        if (_resolvedLists.TryGetValue(name, out IReadOnlyList<string>? resolved))
        {
            return resolved;
        }
        if (!visiting.Add(name))
        {
            throw RuleException.Error($"list '{name}' refers to itself");
        }
        resolved = ExpandValues(lists[name].Select(ListItemValue), visiting).Select(v => v.Text).ToList();
        visiting.Remove(name);
        _resolvedLists[name] = resolved;
        return resolved;
    }

    /// <summary>List items may carry their own quotes (<c>'"sh -c uname"'</c>), which mark them as literal text.</summary>
    private static OperandValue ListItemValue(string item) =>
        item.Length >= 2 && (item[0] is '"' or '\'') && item[^1] == item[0]
            ? new OperandValue(item[1..^1], Quoted: true)
            : new OperandValue(item, Quoted: false);
}
