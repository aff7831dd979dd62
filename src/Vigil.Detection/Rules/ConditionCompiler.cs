using System.Linq.Expressions;

namespace Vigil.Detection.Rules;

/// <summary>
/// Compiles an expanded condition (no macro references left) into one delegate, through
/// System.Linq.Expressions: built once at load, so an event runs straight-line IL, never an interpreter.
/// </summary>
public static class ConditionCompiler
{
    /// <summary>Bounds "any ancestor" loops, as <see cref="ProcessFields"/> bounds the chain itself.</summary>
    private const int MaxAnyIndex = 64;

    public static Func<EventContext, bool> Compile(ConditionNode condition, FieldRegistry fields)
    {
        ParameterExpression context = Expression.Parameter(typeof(EventContext), "context");
        Expression body = Build(condition, context, fields);
        return Expression.Lambda<Func<EventContext, bool>>(body, context).Compile();
    }

    /// <summary>
    /// Resolves every field of a condition: the first unknown field or bad argument is an error;
    /// otherwise all unsupported fields are reported together so the skip reason names each one.
    /// </summary>
    public static void Validate(ConditionNode condition, FieldRegistry fields)
    {
        var unsupported = new List<string>();
        foreach (CheckNode check in Checks(condition))
        {
            try
            {
                fields.Resolve(check.Field);
            }
            catch (RuleException e) when (e.Kind == RuleProblemKind.Unsupported)
            {
                if (!unsupported.Contains(e.Message))
                {
                    unsupported.Add(e.Message);
                }
            }
        }
        if (unsupported.Count > 0)
        {
            throw RuleException.Unsupported(string.Join("; ", unsupported));
        }
    }

    public static IEnumerable<CheckNode> Checks(ConditionNode node)
    {
        var pending = new Stack<ConditionNode>();
        pending.Push(node);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case AndNode and:
                    pending.Push(and.Right);
                    pending.Push(and.Left);
                    break;
                case OrNode or:
                    pending.Push(or.Right);
                    pending.Push(or.Left);
                    break;
                case NotNode not:
                    pending.Push(not.Operand);
                    break;
                case CheckNode check:
                    yield return check;
                    break;
                case MacroReferenceNode macro:
                    throw RuleException.Error($"unexpanded macro '{macro.Name}'");
            }
        }
    }

    /// <summary>An expression reading a field's value: <c>getter(ctx)</c> or <c>getter(ctx, index)</c>.</summary>
    public static Expression Read(FieldDefinition field, Expression context, Expression? index = null)
    {
        Delegate getter = field.Getter!;
        Expression[] arguments = index is null ? [context] : [context, index];
        return getter.Target is null
            ? Expression.Call(getter.Method, arguments)
            : Expression.Call(Expression.Constant(getter.Target), getter.Method, arguments);
    }

    private static Expression Build(ConditionNode node, ParameterExpression context, FieldRegistry fields) => node switch
    {
        AndNode and => Expression.AndAlso(Build(and.Left, context, fields), Build(and.Right, context, fields)),
        OrNode or => Expression.OrElse(Build(or.Left, context, fields), Build(or.Right, context, fields)),
        NotNode not => Expression.Not(Build(not.Operand, context, fields)),
        CheckNode check => BuildCheck(check, context, fields),
        MacroReferenceNode macro => throw RuleException.Error($"unexpanded macro '{macro.Name}'"),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    private static Expression BuildCheck(CheckNode check, ParameterExpression context, FieldRegistry fields)
    {
        FieldDefinition field = fields.Resolve(check.Field);
        if (field.Shape == FieldShape.Scalar)
        {
            return CheckBuilder.Predicate(field, check, Read(field, context));
        }
        if (check.Field.Argument is { } argument)
        {
            return CheckBuilder.Predicate(field, check, Read(field, context, Expression.Constant(int.Parse(argument, System.Globalization.CultureInfo.InvariantCulture))));
        }
        return AnyIndex(field, check, context, firstIndex: field.Shape == FieldShape.AncestorIndexed ? 1 : 0);
    }

    /// <summary>
    /// For multi-valued fields (bare proc.aname, fd.ip): reads index after index until a value is
    /// missing, true as soon as one matches. Built as an expression loop, so still no allocation.
    /// </summary>
    private static Expression AnyIndex(FieldDefinition field, CheckNode check, ParameterExpression context, int firstIndex)
    {
        ParameterExpression index = Expression.Variable(typeof(int), "index");
        Expression read = Read(field, context, index);
        ParameterExpression value = Expression.Variable(read.Type, "value");
        ParameterExpression matched = Expression.Variable(typeof(bool), "matched");
        LabelTarget done = Expression.Label("done");
        Expression missing = read.Type.IsValueType
            ? Expression.Not(Expression.Property(value, "HasValue"))
            : Expression.Equal(value, Expression.Constant(null, read.Type));
        return Expression.Block(
            [index, value, matched],
            Expression.Assign(index, Expression.Constant(firstIndex)),
            Expression.Assign(matched, Expression.Constant(false)),
            Expression.Loop(
                Expression.Block(
                    Expression.IfThen(Expression.GreaterThan(index, Expression.Constant(MaxAnyIndex)), Expression.Break(done)),
                    Expression.Assign(value, read),
                    Expression.IfThen(missing, Expression.Break(done)),
                    Expression.IfThen(
                        CheckBuilder.Predicate(field, check, value),
                        Expression.Block(Expression.Assign(matched, Expression.Constant(true)), Expression.Break(done))),
                    Expression.PostIncrementAssign(index)),
                done),
            matched);
    }
}
