namespace Vigil.Detection.Rules;

/// <summary>The syntax tree of a condition, before macros and lists are expanded.</summary>
public abstract record ConditionNode;

public sealed record AndNode(ConditionNode Left, ConditionNode Right) : ConditionNode;

public sealed record OrNode(ConditionNode Left, ConditionNode Right) : ConditionNode;

public sealed record NotNode(ConditionNode Operand) : ConditionNode;

/// <summary>A bare identifier: a macro reference.</summary>
public sealed record MacroReferenceNode(string Name, int Position) : ConditionNode;

/// <summary>A field check: <c>field op value</c>, <c>field op (list)</c> or <c>field exists</c> (no operand).</summary>
public sealed record CheckNode(FieldReference Field, CompareOperator Operator, Operand? Operand, int Position) : ConditionNode;

/// <summary>A field name with its optional bracket argument, as in <c>proc.aname[2]</c>.</summary>
public sealed record FieldReference(string Name, string? Argument)
{
    public override string ToString() => Argument is null ? Name : $"{Name}[{Argument}]";
}

/// <summary>One literal value; <see cref="Quoted"/> values are never taken for list names.</summary>
public readonly record struct OperandValue(string Text, bool Quoted);

/// <summary>The right-hand side of a check: a single value, or a parenthesised list.</summary>
public sealed record Operand(IReadOnlyList<OperandValue> Values, bool IsList);
