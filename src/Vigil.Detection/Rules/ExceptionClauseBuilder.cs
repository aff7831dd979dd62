namespace Vigil.Detection.Rules;

/// <summary>
/// Turns a rule's exceptions into the clause Falco adds to its condition: each value tuple becomes
/// <c>(f1 c1 v1 and f2 c2 v2 ...)</c>, and the rule becomes <c>condition and not (tuple or tuple ...)</c>.
/// </summary>
public static class ExceptionClauseBuilder
{
    public static ConditionNode Apply(ConditionNode condition, IEnumerable<ExceptionSpec> exceptions)
    {
        ConditionNode? excluded = null;
        foreach (ExceptionSpec exception in exceptions)
        {
            FieldReference[] fields = exception.Fields.Select(f => ParseField(f, exception)).ToArray();
            CompareOperator[] comps = exception.Comps.Select(c => ParseOperator(c, exception)).ToArray();
            foreach (IReadOnlyList<ExceptionValue> tuple in exception.Values)
            {
                if (tuple.Count != fields.Length)
                {
                    throw RuleException.Error($"exception '{exception.Name}': a value has {tuple.Count} items for {fields.Length} fields");
                }
                ConditionNode? match = null;
                for (int i = 0; i < fields.Length; i++)
                {
                    var check = new CheckNode(fields[i], comps[i], OperandOf(tuple[i], comps[i]), 0);
                    match = match is null ? check : new AndNode(match, check);
                }
                if (match is not null)
                {
                    excluded = excluded is null ? match : new OrNode(excluded, match);
                }
            }
        }
        return excluded is null ? condition : new AndNode(condition, new NotNode(excluded));
    }

    /// <summary>Values stay unquoted so a list name among them expands, as in Falco.</summary>
    private static Operand OperandOf(ExceptionValue value, CompareOperator op)
    {
        if (value.List is { } list)
        {
            return new Operand(list.Select(v => new OperandValue(v, Quoted: false)).ToList(), IsList: true);
        }
        return new Operand([new OperandValue(value.Scalar ?? "", Quoted: false)], IsList: op.TakesList());
    }

    private static FieldReference ParseField(string text, ExceptionSpec exception)
    {
        var lexer = new ConditionLexer(text);
        Token token = lexer.Next();
        if (token.Kind != TokenKind.Word || lexer.Next().Kind != TokenKind.End)
        {
            throw RuleException.Error($"exception '{exception.Name}': '{text}' is not a field name");
        }
        return new FieldReference(token.Text, token.Argument);
    }

    private static CompareOperator ParseOperator(string text, ExceptionSpec exception) =>
        CompareOperators.TryParse(text, out CompareOperator op) && op != CompareOperator.Exists
            ? op
            : throw RuleException.Error($"exception '{exception.Name}': unknown comparison '{text}'");
}
