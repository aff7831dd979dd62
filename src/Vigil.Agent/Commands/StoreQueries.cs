using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Agent.Host;
using Vigil.Storage;

namespace Vigil.Agent.Commands;

/// <summary>What the commands reading the edge store share: --store, -o, --since, and errors named.</summary>
internal static class StoreQueries
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Option<string> StorePath() => StoreArguments.Path("Edge store file to read (the agent may be writing it)");

    public static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "table, or json (one object per line)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        return output;
    }

    public static Option<TimeSpan?> Since() => new("--since") { Description = "Only what happened within this long (90s, 10m, 2h, 1d)", CustomParser = Durations.Parse };

    public static Option<int> Limit(int defaultValue) => new("--limit", "-n") { Description = "Most rows shown (the newest)", DefaultValueFactory = _ => defaultValue };

    public static DateTime? SinceTime(TimeSpan? since) => since is { } span ? DateTime.UtcNow - span : null;

    /// <summary>Opens the store read-only and runs the query; a missing or unreadable store is an error naming the file.</summary>
    public static int Run(string command, string path, Func<EdgeStore, int> query)
    {
        try
        {
            using EdgeStore store = EdgeStore.OpenReadOnly(path);
            return query(store);
        }
        catch (StoreException ex)
        {
            Console.Error.WriteLine($"vigil {command}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Records as JSON lines: stored records as the JSON they were stored with.</summary>
    public static int WriteJsonLines<T>(IEnumerable<T> records)
    {
        foreach (T record in records)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(record, Json));
        }
        return ExitCodes.Ok;
    }
}
