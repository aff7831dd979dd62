using System.Globalization;
using System.Net;

namespace Vigil.Detection.Rules;

/// <summary>Conversions between field values and text: null marks a value the event does not have.</summary>
internal static class FieldValues
{
    /// <summary>What Falco prints for a field it cannot extract.</summary>
    public const string Missing = "<NA>";

    /// <summary>
    /// A missing text value. Spelled out because a bare <c>null</c> in a conditional next to a
    /// ReadOnlyMemory converts through char[] into an empty, present value.
    /// </summary>
    public static readonly ReadOnlyMemory<char>? NoText = null;

    public static ReadOnlyMemory<char>? Text(string? value) => value is null ? NoText : value.AsMemory();

    public static string Format(ReadOnlyMemory<char>? value) => value is { } v ? v.ToString() : Missing;

    public static string Format(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : Missing;

    public static string Format(bool? value) => value is { } v ? (v ? "true" : "false") : Missing;

    public static string Format(IPAddress? value) => value?.ToString() ?? Missing;
}
