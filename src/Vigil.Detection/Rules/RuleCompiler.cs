namespace Vigil.Detection.Rules;

/// <summary>One merged rule to a <see cref="CompiledRule"/>: parse, add exceptions, expand, validate, index, compile.</summary>
public static class RuleCompiler
{
    private const string SyscallSource = "syscall";

    public static CompiledRule Compile(MergedRule rule, ConditionExpander expander, FieldRegistry fields)
    {
        if (rule.Source is { } source && source != SyscallSource)
        {
            throw RuleException.Unsupported($"rule source '{source}' is not supported; Vigil evaluates syscall rules");
        }
        RulePriority priority = RulePriorities.Parse(rule.Priority);
        ConditionNode parsed = ConditionParser.Parse(rule.Condition);
        ConditionNode condition = expander.Expand(ExceptionClauseBuilder.Apply(parsed, rule.Exceptions));
        ConditionCompiler.Validate(condition, fields);
        OutputTemplate output = OutputTemplate.Parse(rule.Output, fields);
        return new CompiledRule(
            rule,
            priority,
            ConditionCompiler.Compile(condition, fields),
            output,
            ConditionCompiler.Checks(condition).Select(c => c.Field),
            EventTypeIndex.RequiredTypes(condition),
            fields);
    }
}
