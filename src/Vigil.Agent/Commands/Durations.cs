using System.CommandLine.Parsing;
using System.Globalization;

namespace Vigil.Agent.Commands;

/// <summary>Durations on the command line and in API queries: 90, 90s, 10m, 2h, 1d.</summary>
internal static class Durations
{
    public static TimeSpan? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out TimeSpan value))
        {
            return value;
        }
        result.AddError($"'{text}' is not a positive duration (e.g. 90, 90s, 10m, 2h, 1d)");
        return null;
    }

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        char unit = text.Length > 0 && char.IsLetter(text[^1]) ? text[^1] : 's';
        string number = text.Length > 0 && char.IsLetter(text[^1]) ? text[..^1] : text;
        double scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (scale == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
