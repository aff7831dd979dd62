using System.CommandLine.Parsing;
using System.Globalization;

namespace Vigil.Agent.Commands;

/// <summary>Byte sizes on the command line: 1048576, 512K, 64M, 2G (powers of 1024).</summary>
internal static class Sizes
{
    public static long? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        char unit = text.Length > 0 ? char.ToUpperInvariant(text[^1]) : ' ';
        int shift = unit switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        string number = shift > 0 ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            result.AddError($"'{text}' is not a positive size (e.g. 1048576, 512K, 64M, 2G)");
            return null;
        }
        return (long)(value * (1L << shift));
    }
}
