namespace Vigil.Detection.Rules;

public enum TokenKind
{
    End,
    LeftParen,
    RightParen,
    Comma,

    /// <summary>An identifier, keyword or field name, with a bracket argument when one follows.</summary>
    Word,

    /// <summary>A symbolic comparison: = == != &lt; &lt;= &gt; &gt;=.</summary>
    Symbol,
    QuotedString,
    BareValue,
}

public readonly record struct Token(TokenKind Kind, string Text, int Position, string? Argument = null);

/// <summary>
/// Splits a condition into tokens. Values and identifiers follow different rules in Falco
/// (<c>runc:[0:PARENT]</c> is a value, <c>proc.aname[2]</c> a field), so the parser says which it expects.
/// </summary>
public sealed class ConditionLexer(string text)
{
    private int _pos;

    public int Position => _pos;

    public Token Peek()
    {
        int saved = _pos;
        Token token = Next();
        _pos = saved;
        return token;
    }

    /// <summary>The next token in expression position: parentheses, words, symbols.</summary>
    public Token Next()
    {
        SkipSpace();
        if (_pos >= text.Length)
        {
            return new Token(TokenKind.End, "", _pos);
        }
        int start = _pos;
        char c = text[_pos];
        if (TryPunctuation(c, start, out Token punctuation))
        {
            return punctuation;
        }
        if (c is '=' or '!' or '<' or '>')
        {
            _pos++;
            if (_pos < text.Length && text[_pos] == '=')
            {
                _pos++;
            }
            return new Token(TokenKind.Symbol, text[start.._pos], start);
        }
        if (c is '"' or '\'')
        {
            return ReadQuoted();
        }
        while (_pos < text.Length && IsWordChar(text[_pos]))
        {
            _pos++;
        }
        string word = text[start.._pos];
        string? argument = null;
        if (_pos < text.Length && text[_pos] == '[')
        {
            int close = text.IndexOf(']', _pos);
            if (close < 0)
            {
                throw Fail("unterminated '[' in field argument", _pos);
            }
            argument = text[(_pos + 1)..close];
            _pos = close + 1;
        }
        if (word.Length == 0)
        {
            throw Fail($"unexpected character '{c}'", start);
        }
        return new Token(TokenKind.Word, word, start, argument);
    }

    /// <summary>The next token in value position: a quoted string, a bare value, or list punctuation.</summary>
    public Token NextValue()
    {
        SkipSpace();
        if (_pos >= text.Length)
        {
            return new Token(TokenKind.End, "", _pos);
        }
        int start = _pos;
        char c = text[_pos];
        if (TryPunctuation(c, start, out Token punctuation))
        {
            return punctuation;
        }
        if (c is '"' or '\'')
        {
            return ReadQuoted();
        }
        while (_pos < text.Length && !char.IsWhiteSpace(text[_pos]) && text[_pos] is not ('(' or ')' or ','))
        {
            _pos++;
        }
        return new Token(TokenKind.BareValue, text[start.._pos], start);
    }

    public bool AtChar(char c) => _pos < text.Length && text[_pos] == c;

    public static RuleException Fail(string message, int position) =>
        RuleException.Error($"{message} at position {position}");

    private bool TryPunctuation(char c, int start, out Token token)
    {
        TokenKind? kind = c switch
        {
            '(' => TokenKind.LeftParen,
            ')' => TokenKind.RightParen,
            ',' => TokenKind.Comma,
            _ => null,
        };
        if (kind is null)
        {
            token = default;
            return false;
        }
        _pos++;
        token = new Token(kind.Value, c.ToString(), start);
        return true;
    }

    private Token ReadQuoted()
    {
        int start = _pos;
        char quote = text[_pos++];
        var value = new System.Text.StringBuilder();
        while (_pos < text.Length && text[_pos] != quote)
        {
            // A backslash escapes the next character, so quotes can appear inside strings.
            if (text[_pos] == '\\' && _pos + 1 < text.Length)
            {
                _pos++;
            }
            value.Append(text[_pos++]);
        }
        if (_pos >= text.Length)
        {
            throw Fail("unterminated string", start);
        }
        _pos++;
        return new Token(TokenKind.QuotedString, value.ToString(), start);
    }

    private void SkipSpace()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
        {
            _pos++;
        }
    }

    private static bool IsWordChar(char c) =>
        !char.IsWhiteSpace(c) && c is not ('(' or ')' or ',' or '=' or '!' or '<' or '>' or '"' or '\'' or '[');
}
