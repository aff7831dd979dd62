using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Detection.Rules;

/// <summary>
/// Builds the matchers of <c>glob</c>, <c>iglob</c> and <c>regex</c>. All use the non-backtracking
/// engine, so matching time is linear in the input whatever the pattern.
/// </summary>
public static class PatternFactory
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public static Regex Regex(string pattern)
    {
        try
        {
            return new Regex(pattern, Options);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw RuleException.Error($"bad regex '{pattern}': {e.Message}");
        }
    }

    /// <summary>fnmatch-style glob: <c>*</c> any run (including '/'), <c>?</c> one character, <c>[...]</c> a class.</summary>
    public static Regex Glob(string glob, bool ignoreCase)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    int close = i + 2 <= glob.Length ? glob.IndexOf(']', i + 2) : -1;
                    if (close < 0)
                    {
                        throw RuleException.Error($"bad glob '{glob}': unterminated '['");
                    }
                    string body = glob[(i + 1)..close];
                    regex.Append('[').Append(body.StartsWith('!') ? "^" + Escape(body[1..]) : Escape(body)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append('$');
        try
        {
            return new Regex(regex.ToString(), ignoreCase ? Options | RegexOptions.IgnoreCase : Options);
        }
        catch (ArgumentException e)
        {
            throw RuleException.Error($"bad glob '{glob}': {e.Message}");
        }
    }

    /// <summary>Inside a character class only the backslash and '[' need escaping; '-' keeps its range meaning.</summary>
    private static string Escape(string classBody) => classBody.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);
}
