using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigil.Agent.Host;
using Vigil.Agent.Output;
using Vigil.Detection.Rules;
using Vigil.Storage;
using Vigil.Storage.Records;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil detections</c>: stored detections, filtered by time, rule, severity and container.</summary>
public static class DetectionsCommand
{
    public static Command Create()
    {
        var store = StoreQueries.StorePath();
        var output = StoreQueries.Output();
        var since = StoreQueries.Since();
        var limit = StoreQueries.Limit(200);
        var rule = new Option<string?>("--rule") { Description = "Only this rule" };
        var priority = new Option<string?>("--priority") { Description = "Only at least this severe (critical, error, warning, notice, informational, debug)" };
        var container = new Option<string?>("--container", "-c") { Description = "Container id or its prefix" };
        var command = new Command("detections", "Stored detections, oldest first") { store, output, since, limit, rule, priority, container };
        command.SetAction(result =>
        {
            RulePriority? minimum;
            try
            {
                minimum = result.GetValue(priority) is { } text ? RulePriorities.Parse(text) : null;
            }
            catch (RuleException)
            {
                Console.Error.WriteLine($"vigil detections: --priority: unknown priority '{result.GetValue(priority)}' (emergency, alert, critical, error, warning, notice, informational, debug)");
                return ExitCodes.Usage;
            }
            return StoreQueries.Run("detections", result.GetValue(store)!, s =>
            {
                IReadOnlyList<StoredDetection> detections = s.Detections(new DetectionQuery
                {
                    Since = StoreQueries.SinceTime(result.GetValue(since)),
                    Rule = result.GetValue(rule),
                    MinPriority = minimum,
                    Container = result.GetValue(container),
                    Limit = result.GetValue(limit),
                });
                return result.GetValue(output) == "json" ? StoreQueries.WriteJsonLines(detections) : WriteTable(detections);
            });
        });
        return command;
    }

    private static int WriteTable(IReadOnlyList<StoredDetection> detections)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("TIME", "PRIORITY", "RULE", "PID", "COMM", "CONTAINER", "OUTPUT");
        foreach (StoredDetection d in detections)
        {
            using JsonDocument json = StoredJson.Parse(d);
            table.AddRow(
                Terminal.Plain(d.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                Terminal.Plain(d.Priority.ToString().ToUpperInvariant()),
                Terminal.Plain(d.Rule),
                Terminal.Plain(d.Pid.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(d.ProcessName),
                Terminal.Plain(EventsCommand.ShortId(d.ContainerId)),
                Terminal.Plain(EventDetail.Text(json.RootElement, "vigil.rule.output")));
        }
        Terminal.Create().Write(table);
        return ExitCodes.Ok;
    }
}
