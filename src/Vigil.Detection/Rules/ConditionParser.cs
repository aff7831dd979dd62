namespace Vigil.Detection.Rules;

/// <summary>
/// Parses Falco's condition language into a <see cref="ConditionNode"/> tree. Precedence, tightest
/// first: <c>not</c>, <c>and</c>, <c>or</c>. Nesting is bounded so hostile input cannot exhaust the stack.
/// </summary>
public sealed class ConditionParser
{
    private const int MaxDepth = 200;

    private readonly ConditionLexer _lexer;
    private int _depth;

    private ConditionParser(string text) => _lexer = new ConditionLexer(text);

    public static ConditionNode Parse(string condition)
    {
        var parser = new ConditionParser(condition);
        ConditionNode node = parser.ParseOr();
        Token rest = parser._lexer.Next();
        if (rest.Kind != TokenKind.End)
        {
            throw ConditionLexer.Fail($"unexpected '{rest.Text}'", rest.Position);
        }
        return node;
    }

    private ConditionNode ParseOr()
    {
        ConditionNode left = ParseAnd();
        while (IsKeyword(_lexer.Peek(), "or"))
        {
            _lexer.Next();
            left = new OrNode(left, ParseAnd());
        }
        return left;
    }

    private ConditionNode ParseAnd()
    {
        ConditionNode left = ParseNot();
        while (IsKeyword(_lexer.Peek(), "and"))
        {
            _lexer.Next();
            left = new AndNode(left, ParseNot());
        }
        return left;
    }

    private ConditionNode ParseNot()
    {
        Enter();
        ConditionNode node;
        if (IsKeyword(_lexer.Peek(), "not"))
        {
            _lexer.Next();
            node = new NotNode(ParseNot());
        }
        else
        {
            node = ParsePrimary();
        }
        _depth--;
        return node;
    }

    private ConditionNode ParsePrimary()
    {
        Token token = _lexer.Next();
        if (token.Kind == TokenKind.LeftParen)
        {
            ConditionNode inner = ParseOr();
            Expect(_lexer.Next(), TokenKind.RightParen, "')'");
            return inner;
        }
        if (token.Kind != TokenKind.Word || token.Text is "and" or "or")
        {
            throw ConditionLexer.Fail(token.Kind == TokenKind.End ? "unexpected end of condition" : $"unexpected '{token.Text}'", token.Position);
        }
        if (_lexer.AtChar('('))
        {
            throw RuleException.Unsupported($"field transformer '{token.Text}()' is not supported");
        }
        Token next = _lexer.Peek();
        string? opText = next.Kind switch
        {
            TokenKind.Symbol => next.Text,
            TokenKind.Word when next.Argument is null && (CompareOperators.TryParse(next.Text, out _) || CompareOperators.IsUnsupported(next.Text)) => next.Text,
            _ => null,
        };
        if (opText is null)
        {
            if (token.Argument is not null)
            {
                throw ConditionLexer.Fail($"field '{token.Text}[{token.Argument}]' needs an operator", token.Position);
            }
            return new MacroReferenceNode(token.Text, token.Position);
        }
        _lexer.Next();
        if (!CompareOperators.TryParse(opText, out CompareOperator op))
        {
            throw CompareOperators.IsUnsupported(opText)
                ? RuleException.Unsupported($"operator '{opText}' is not supported")
                : ConditionLexer.Fail($"unknown operator '{opText}'", next.Position);
        }
        var field = new FieldReference(token.Text, token.Argument);
        Operand? operand = op == CompareOperator.Exists ? null : ParseOperand(op);
        return new CheckNode(field, op, operand, token.Position);
    }

    private Operand ParseOperand(CompareOperator op)
    {
        Token token = _lexer.NextValue();
        if (token.Kind == TokenKind.LeftParen)
        {
            return new Operand(ParseListValues(), IsList: true);
        }
        if (op.TakesList())
        {
            throw ConditionLexer.Fail($"'{op}' needs a parenthesised list", token.Position);
        }
        return new Operand([ValueOf(token)], IsList: false);
    }

    private List<OperandValue> ParseListValues()
    {
        var values = new List<OperandValue>();
        Token token = _lexer.NextValue();
        if (token.Kind == TokenKind.RightParen)
        {
            return values;
        }
        while (true)
        {
            values.Add(ValueOf(token));
            Token separator = _lexer.NextValue();
            if (separator.Kind == TokenKind.RightParen)
            {
                return values;
            }
            Expect(separator, TokenKind.Comma, "',' or ')'");
            token = _lexer.NextValue();
        }
    }

    private OperandValue ValueOf(Token token)
    {
        if (token.Kind is not (TokenKind.QuotedString or TokenKind.BareValue))
        {
            throw ConditionLexer.Fail(token.Kind == TokenKind.End ? "missing value at end of condition" : $"expected a value, found '{token.Text}'", token.Position);
        }
        if (token.Kind == TokenKind.BareValue && _lexer.AtChar('('))
        {
            throw RuleException.Unsupported($"value transformer '{token.Text}()' is not supported");
        }
        return new OperandValue(token.Text, token.Kind == TokenKind.QuotedString);
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw ConditionLexer.Fail($"condition nested deeper than {MaxDepth}", _lexer.Position);
        }
    }

    private static bool IsKeyword(Token token, string keyword) =>
        token.Kind == TokenKind.Word && token.Argument is null && token.Text == keyword;

    private static void Expect(Token token, TokenKind kind, string what)
    {
        if (token.Kind != kind)
        {
            throw ConditionLexer.Fail($"expected {what}, found '{(token.Kind == TokenKind.End ? "end of condition" : token.Text)}'", token.Position);
        }
    }
}
