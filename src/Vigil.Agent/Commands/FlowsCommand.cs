using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Vigil.Agent.Host;
using Vigil.Agent.Output;
using Vigil.Storage;
using Vigil.Storage.Records;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil flows</c>: the top flow summaries (process x remote endpoint) by bytes, connections or recency.</summary>
public static class FlowsCommand
{
    public static Command Create()
    {
        var store = StoreQueries.StorePath();
        var output = StoreQueries.Output();
        var since = StoreQueries.Since();
        var top = new Option<int>("--top") { Description = "How many flows", DefaultValueFactory = _ => 10 };
        var by = new Option<string>("--by") { Description = "Rank by bytes (sent + received), sent, received, connections or recent", DefaultValueFactory = _ => "bytes" };
        by.AcceptOnlyFromAmong("bytes", "sent", "received", "connections", "recent");
        var command = new Command("flows", "Top network flows per process and remote endpoint") { store, output, since, top, by };
        command.SetAction(result => StoreQueries.Run("flows", result.GetValue(store)!, s =>
        {
            StoredFlowOrder order = Enum.Parse<StoredFlowOrder>(result.GetValue(by)!, ignoreCase: true);
            IReadOnlyList<StoredFlow> flows = s.Flows(result.GetValue(top), order, StoreQueries.SinceTime(result.GetValue(since)));
            return result.GetValue(output) == "json" ? StoreQueries.WriteJsonLines(flows) : WriteTable(flows);
        }));
        return command;
    }

    private static int WriteTable(IReadOnlyList<StoredFlow> flows)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("PID", "COMM", "CONTAINER", "PROTO", "DIR", "REMOTE", "CONNS", "SENT", "RECEIVED", "LAST SEEN");
        foreach (StoredFlow f in flows)
        {
            table.AddRow(
                Terminal.Plain(f.Pid.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(f.ProcessName),
                Terminal.Plain(EventsCommand.ShortId(f.ContainerId)),
                Terminal.Plain(f.Transport),
                Terminal.Plain(f.Direction == "transmit" ? "out" : "in"),
                Terminal.Plain(f.RemoteAddress.Contains(':', StringComparison.Ordinal) ? $"[{f.RemoteAddress}]:{f.RemotePort}" : $"{f.RemoteAddress}:{f.RemotePort}"),
                Terminal.Plain(f.Connections.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(f.BytesSent.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(f.BytesReceived.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(f.LastSeen.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
        }
        Terminal.Create().Write(table);
        return ExitCodes.Ok;
    }
}
