using System.Globalization;

namespace Vigil.Agent.Config;

/// <summary>Values written the way the flags take them, for defaults and <c>vigil config show</c>.</summary>
internal static class Text
{
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>7d, 2h, 10m, 90s: the largest unit that divides the duration.</summary>
    public static string Duration(TimeSpan value) => value switch
    {
        { TotalDays: >= 1 } when value.Ticks % TimeSpan.TicksPerDay == 0 => Number((long)value.TotalDays) + "d",
        { TotalHours: >= 1 } when value.Ticks % TimeSpan.TicksPerHour == 0 => Number((long)value.TotalHours) + "h",
        { TotalMinutes: >= 1 } when value.Ticks % TimeSpan.TicksPerMinute == 0 => Number((long)value.TotalMinutes) + "m",
        _ => value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s",
    };

    /// <summary>1G, 100M, 4K or bytes: the largest power of 1024 that divides the size.</summary>
    public static string Size(long bytes)
    {
        foreach ((int shift, string unit) in new[] { (40, "T"), (30, "G"), (20, "M"), (10, "K") })
        {
            if (bytes >= 1L << shift && bytes % (1L << shift) == 0)
            {
                return Number(bytes >> shift) + unit;
            }
        }
        return Number(bytes);
    }

    /// <summary>A flag's parsed default as the flag would take it.</summary>
    public static string? Value(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        TimeSpan t => Duration(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
