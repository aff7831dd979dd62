using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigil.Agent.Host;
using Vigil.Agent.Output;
using Vigil.Storage.Records;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil incidents</c> lists incidents (latest revision of each); <c>vigil incident show ID</c> tells one.</summary>
public static class IncidentsCommand
{
    public static Command CreateList()
    {
        var store = StoreQueries.StorePath();
        var output = StoreQueries.Output();
        var since = StoreQueries.Since();
        var limit = StoreQueries.Limit(100);
        var status = new Option<string?>("--status") { Description = "open or closed" };
        status.AcceptOnlyFromAmong("open", "closed");
        var command = new Command("incidents", "Incidents, most recently active first") { store, output, since, limit, status };
        command.SetAction(result => StoreQueries.Run("incidents", result.GetValue(store)!, s =>
        {
            IReadOnlyList<StoredIncident> incidents = s.Incidents(StoreQueries.SinceTime(result.GetValue(since)), result.GetValue(status), result.GetValue(limit));
            return result.GetValue(output) == "json" ? StoreQueries.WriteJsonLines(incidents) : WriteList(incidents);
        }));
        return command;
    }

    public static Command CreateShow()
    {
        var store = StoreQueries.StorePath();
        var output = StoreQueries.Output();
        var id = new Argument<string>("id") { Description = "Incident id, or a prefix that names only one" };
        var show = new Command("show", "One incident: verdict, root cause, timeline, causal chain, what is missing") { id, store, output };
        show.SetAction(result => StoreQueries.Run("incident show", result.GetValue(store)!, s =>
        {
            if (s.Incident(result.GetValue(id)!) is not { } incident)
            {
                Console.Error.WriteLine($"vigil incident show: no incident {result.GetValue(id)} in {s.Path} (or the prefix names several)");
                return ExitCodes.Failure;
            }
            if (result.GetValue(output) == "json")
            {
                return StoreQueries.WriteJsonLines([incident]);
            }
            using JsonDocument json = StoredJson.Parse(incident);
            IncidentView.Write(Terminal.Create(), incident, json.RootElement);
            return ExitCodes.Ok;
        }));
        return new Command("incident", "One incident") { show };
    }

    private static int WriteList(IReadOnlyList<StoredIncident> incidents)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "REV", "STATUS", "CONFIDENCE", "FIRST SEEN", "LAST SEEN", "TITLE", "ROOT CAUSE");
        foreach (StoredIncident i in incidents)
        {
            using JsonDocument json = StoredJson.Parse(i);
            table.AddRow(
                Terminal.Plain(i.Id),
                Terminal.Plain(i.Revision.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(i.Status),
                Terminal.Plain(i.Confidence.ToString("0.00", CultureInfo.InvariantCulture)),
                Terminal.Plain(i.FirstSeen.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                Terminal.Plain(i.LastSeen.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                Terminal.Plain(i.Title),
                Terminal.Plain(json.RootElement.TryGetProperty("vigil.incident.root_cause", out JsonElement root) ? EventDetail.Text(root, "name") : ""));
        }
        Terminal.Create().Write(table);
        return ExitCodes.Ok;
    }
}
