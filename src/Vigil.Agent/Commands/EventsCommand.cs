using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigil.Agent.Host;
using Vigil.Agent.Output;
using Vigil.Storage;
using Vigil.Storage.Records;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil events</c>: stored events, filtered by time, type, container and process.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var store = StoreQueries.StorePath();
        var output = StoreQueries.Output();
        var since = StoreQueries.Since();
        var limit = StoreQueries.Limit(1000);
        var type = new Option<string?>("--type", "-t") { Description = "Event name (process.exec), family (process, file, network) or last part (exec, openat, connect)" };
        var container = new Option<string?>("--container", "-c") { Description = "Container id or its prefix (the 12-character short id)" };
        var proc = new Option<string?>("--proc", "-p") { Description = "Process name (the kernel's comm)" };
        var pid = new Option<uint?>("--pid") { Description = "Process id" };
        var execId = new Option<string?>("--exec-id") { Description = "Exec id (vigil.exec_id)" };
        var command = new Command("events", "Stored events, oldest first") { store, output, since, limit, type, container, proc, pid, execId };
        command.SetAction(result => StoreQueries.Run("events", result.GetValue(store)!, s =>
        {
            IReadOnlyList<StoredEvent> events = s.Events(new EventQuery
            {
                Since = StoreQueries.SinceTime(result.GetValue(since)),
                Type = result.GetValue(type),
                Container = result.GetValue(container),
                ProcessName = result.GetValue(proc),
                Pid = result.GetValue(pid),
                ExecId = result.GetValue(execId),
                Limit = result.GetValue(limit),
            });
            return result.GetValue(output) == "json" ? StoreQueries.WriteJsonLines(events) : WriteTable(events);
        }));
        return command;
    }

    private static int WriteTable(IReadOnlyList<StoredEvent> events)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("TIME", "EVENT", "PID", "COMM", "CONTAINER", "DETAIL");
        foreach (StoredEvent e in events)
        {
            using JsonDocument json = StoredJson.Parse(e);
            table.AddRow(
                Terminal.Plain(e.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)),
                Terminal.Plain(e.Name),
                Terminal.Plain(e.Pid.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(e.ProcessName),
                Terminal.Plain(ShortId(e.ContainerId)),
                Terminal.Plain(EventDetail.Describe(json.RootElement)));
        }
        Terminal.Create().Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>The 12-character id Docker shows; "host" outside containers.</summary>
    internal static string ShortId(string? container) => container is null ? "host" : container.Length > 12 ? container[..12] : container;
}
