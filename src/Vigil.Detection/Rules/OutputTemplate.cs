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
            int start = i + 1;
            int end = start;
            while (template[i] == '%' && end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] is '_' or '.'))
            {
                end++;
            }
            if (end == start || !template.AsSpan(start, end - start).Contains('.'))
            {
                literal.Append(template[i++]);
                continue;
            }
            string? argument = null;
            if (end < template.Length && template[end] == '[' && template.IndexOf(']', end) is var close and > 0)
            {
                argument = template[(end + 1)..close];
                end = close + 1;
            }
            var reference = new FieldReference(template[start..(end - (argument is null ? 0 : argument.Length + 2))], argument);
            parts.Add((literal.ToString(), reference, FieldRenderer.Compile(reference, fields)));
            literal.Clear();
            i = end;
        }
        parts.Add((literal.ToString(), null, null));
        return new OutputTemplate([.. parts]);
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
