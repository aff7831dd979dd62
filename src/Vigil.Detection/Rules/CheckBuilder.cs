using System.Collections.Frozen;
using System.Globalization;
using System.Linq.Expressions;
using System.Net;

namespace Vigil.Detection.Rules;

/// <summary>
/// Turns one <c>field op value</c> check into an expression over the field's value. Literals are
/// converted to the field's type here, once: numbers parsed, lists frozen into sets, patterns
/// compiled. A literal that does not fit the field is a type-mismatch error.
/// </summary>
internal static class CheckBuilder
{
    public static Expression Predicate(FieldDefinition field, CheckNode check, Expression value)
    {
        if (check.Operator == CompareOperator.Exists)
        {
            return Call(nameof(Comparisons.Exists), value);
        }
        IReadOnlyList<OperandValue> values = check.Operand!.Values;
        if (!check.Operator.TakesList() && (check.Operand.IsList || values.Count != 1))
        {
            throw Mismatch(check, "takes a single value, not a list");
        }
        string single = values.Count > 0 ? values[0].Text : "";
        return field.Type switch
        {
            FieldType.Text => TextPredicate(check, value, values, single),
            FieldType.Number => NumberPredicate(check, value, values, single),
            FieldType.Bool => BoolPredicate(check, value, single),
            FieldType.Ip => IpPredicate(check, value, values, single),
            _ => NetworkPredicate(check, value, values, single),
        };
    }

    private static Expression TextPredicate(CheckNode check, Expression value, IReadOnlyList<OperandValue> values, string single) => check.Operator switch
    {
        CompareOperator.Equal => Call(nameof(Comparisons.Equal), value, single),
        CompareOperator.NotEqual => Call(nameof(Comparisons.NotEqual), value, single),
        CompareOperator.In or CompareOperator.Intersects => Call(nameof(Comparisons.In), value, new TextSet(values.Select(v => v.Text))),
        CompareOperator.PMatch => Call(nameof(Comparisons.PMatch), value, new PathPrefixSet(values.Select(v => v.Text))),
        CompareOperator.Contains => Call(nameof(Comparisons.Contains), value, single),
        CompareOperator.IContains => Call(nameof(Comparisons.IContains), value, single),
        CompareOperator.StartsWith => Call(nameof(Comparisons.StartsWith), value, single),
        CompareOperator.EndsWith => Call(nameof(Comparisons.EndsWith), value, single),
        CompareOperator.Glob => Call(nameof(Comparisons.Matches), value, PatternFactory.Glob(single, ignoreCase: false)),
        CompareOperator.IGlob => Call(nameof(Comparisons.Matches), value, PatternFactory.Glob(single, ignoreCase: true)),
        CompareOperator.Regex => Call(nameof(Comparisons.Matches), value, PatternFactory.Regex(single)),
        _ => throw Mismatch(check, "does not apply to a text field"),
    };

    private static Expression NumberPredicate(CheckNode check, Expression value, IReadOnlyList<OperandValue> values, string single) => check.Operator switch
    {
        CompareOperator.Equal => Call(nameof(Comparisons.Equal), value, Number(check, single)),
        CompareOperator.NotEqual => Call(nameof(Comparisons.NotEqual), value, Number(check, single)),
        CompareOperator.Less => Call(nameof(Comparisons.Less), value, Number(check, single)),
        CompareOperator.LessOrEqual => Call(nameof(Comparisons.LessOrEqual), value, Number(check, single)),
        CompareOperator.Greater => Call(nameof(Comparisons.Greater), value, Number(check, single)),
        CompareOperator.GreaterOrEqual => Call(nameof(Comparisons.GreaterOrEqual), value, Number(check, single)),
        CompareOperator.In or CompareOperator.Intersects => Call(nameof(Comparisons.In), value, values.Select(v => Number(check, v.Text)).ToFrozenSet()),
        _ => throw Mismatch(check, "does not apply to a numeric field"),
    };

    private static Expression BoolPredicate(CheckNode check, Expression value, string single)
    {
        if (!bool.TryParse(single, out bool literal))
        {
            throw Mismatch(check, $"compares a boolean field with '{single}', which is not true or false");
        }
        return check.Operator switch
        {
            CompareOperator.Equal => Call(nameof(Comparisons.Equal), value, literal),
            CompareOperator.NotEqual => Call(nameof(Comparisons.NotEqual), value, literal),
            _ => throw Mismatch(check, "does not apply to a boolean field"),
        };
    }

    private static Expression IpPredicate(CheckNode check, Expression value, IReadOnlyList<OperandValue> values, string single) => check.Operator switch
    {
        CompareOperator.Equal => Call(nameof(Comparisons.Equal), value, Address(check, single)),
        CompareOperator.NotEqual => Call(nameof(Comparisons.NotEqual), value, Address(check, single)),
        CompareOperator.In or CompareOperator.Intersects => Call(nameof(Comparisons.In), value, values.Select(v => Address(check, v.Text)).ToArray()),
        _ => throw Mismatch(check, "does not apply to an address field"),
    };

    private static Expression NetworkPredicate(CheckNode check, Expression value, IReadOnlyList<OperandValue> values, string single) => check.Operator switch
    {
        CompareOperator.Equal => Call(nameof(Comparisons.InNetwork), value, Network(check, single)),
        CompareOperator.NotEqual => Call(nameof(Comparisons.NotInNetwork), value, Network(check, single)),
        CompareOperator.In or CompareOperator.Intersects => Call(nameof(Comparisons.InAnyNetwork), value, values.Select(v => Network(check, v.Text)).ToArray()),
        _ => throw Mismatch(check, "does not apply to a network field"),
    };

    private static long Number(CheckNode check, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
            ? n
            : throw Mismatch(check, $"compares a numeric field with '{text}', which is not a number");

    private static IPAddress Address(CheckNode check, string text) =>
        IPAddress.TryParse(text, out IPAddress? address)
            ? address
            : throw Mismatch(check, $"compares an address field with '{text}', which is not an IP address");

    private static IPNetwork Network(CheckNode check, string text)
    {
        if (IPNetwork.TryParse(text, out IPNetwork network))
        {
            return network;
        }
        return IPAddress.TryParse(text, out IPAddress? address)
            ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
            : throw Mismatch(check, $"compares a network field with '{text}', which is not a CIDR network");
    }

    private static RuleException Mismatch(CheckNode check, string problem) =>
        RuleException.Error($"type mismatch: '{check.Field} {check.Operator}' {problem}");

    private static MethodCallExpression Call(string method, Expression value) =>
        Expression.Call(typeof(Comparisons), method, null, value);

    private static MethodCallExpression Call<T>(string method, Expression value, T literal) =>
        Expression.Call(typeof(Comparisons), method, null, value, Expression.Constant(literal, typeof(T)));
}
