using System.Text;

namespace Vigil.Detection.Rules;

/// <summary>
/// A rule's output with its <c>%field</c> and <c>%field[arg]</c> placeholders parsed once;
/// rendering (only for matches) substitutes each field's value, <c>&lt;NA&gt;</c> when missing.
/// </summary>
public sealed class OutputTemplate
{
    private readonly (string Literal, FieldReference? Field, Func<EventContext, string>? Render)[] _parts;

    private OutputTemplate((string, FieldReference?, Func<EventContext, string>?)[] parts) => _parts = parts;

    public IEnumerable<FieldReference> Fields => _parts.Where(p => p.Field is not null).Select(p => p.Field!);

    public static OutputTemplate Parse(string template, FieldRegistry fields)
    {
        var parts = new List<(string, FieldReference?, Func<EventContext, string>?)>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            if (template[i] == '%' && TryReadField(template, i + 1, out FieldReference? reference, out int next))
            {
                parts.Add((literal.ToString(), reference, FieldRenderer.Compile(reference, fields)));
                literal.Clear();
                i = next;
            }
            else
            {
                literal.Append(template[i++]);
            }
        }
        parts.Add((literal.ToString(), null, null));
        return new OutputTemplate([.. parts]);
    }

    /// <summary>A field name is a dotted word (a lone % or %word stays literal), with an optional [argument].</summary>
    private static bool TryReadField(string template, int start, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FieldReference? reference, out int next)
    {
        int end = start;
        while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] is '_' or '.'))
        {
            end++;
        }
        string name = template[start..end];
        reference = null;
        next = end;
        if (!name.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }
        string? argument = null;
        int close = end < template.Length && template[end] == '[' ? template.IndexOf(']', end) : -1;
        if (close > 0)
        {
            argument = template[(end + 1)..close];
            next = close + 1;
        }
        reference = new FieldReference(name, argument);
        return true;
    }

    public string Render(EventContext context)
    {
        var text = new StringBuilder();
        foreach ((string literal, _, Func<EventContext, string>? render) in _parts)
        {
            text.Append(literal);
            if (render is not null)
            {
                text.Append(render(context));
            }
        }
        return text.ToString();
    }
}
