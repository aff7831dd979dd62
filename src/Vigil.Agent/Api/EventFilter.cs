using System.Globalization;
using Microsoft.AspNetCore.Http;
using Vigil.Agent.Commands;
using Vigil.Events;

namespace Vigil.Agent.Api;

/// <summary>
/// The filters of <c>/api/events</c> and <c>/api/events/stream</c>, applied on the server:
/// since (a duration back from now), type (exec, fork, exit, file, network, privilege, guard, or a
/// full event name such as process.exec), container (id or its 12-character prefix), proc (the
/// process name, as the kernel's comm), text (anywhere in the event's JSON) and limit (newest N).
/// </summary>
public sealed record EventFilter
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 50_000;

    public DateTime? Since { get; init; }
    public string? Type { get; init; }
    public string? Container { get; init; }
    public string? Proc { get; init; }
    public string? Text { get; init; }
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Reads the query string; a malformed value is an error naming the parameter.</summary>
    public static EventFilter Parse(IQueryCollection query, DateTime now)
    {
        DateTime? since = null;
        if (Value(query, "since") is { } sinceText)
        {
            since = Durations.TryParse(sinceText, out TimeSpan back) ? now - back : throw new FormatException($"since={sinceText} is not a duration (90s, 10m, 2h, 1d)");
        }
        int limit = DefaultLimit;
        if (Value(query, "limit") is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            throw new FormatException($"limit={limitText} must be a number from 1 to {MaxLimit}");
        }
        return new EventFilter
        {
            Since = since,
            Type = Value(query, "type"),
            Container = Value(query, "container"),
            Proc = Value(query, "proc"),
            Text = Value(query, "text"),
            Limit = limit,
        };
    }

    /// <summary>Everything but the text, which needs the event's JSON (<see cref="MatchesText"/>).</summary>
    public bool Matches(VigilEvent e)
    {
        if (Since is { } since && e.Timestamp < since)
        {
            return false;
        }
        if (Type is { } type && !type.Equals(e.Kind.ToString(), StringComparison.OrdinalIgnoreCase) && type != EventJson.Name(e))
        {
            return false;
        }
        if (Container is { } container
            && !(e.Context?.Container is { } c && (c.Id.StartsWith(container, StringComparison.Ordinal) || c.ShortId == container)))
        {
            return false;
        }
        if (Proc is { } proc && e.Process.Comm != proc)
        {
            return false;
        }
        return true;
    }

    public bool MatchesText(string json) => Text is not { } text || json.Contains(text, StringComparison.OrdinalIgnoreCase);

    private static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
