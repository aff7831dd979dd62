using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Vigil.Agent.Host;
using Vigil.Agent.Output;
using Vigil.Enrichment.Processes;
using Vigil.Storage.Records;

namespace Vigil.Agent.Commands;

/// <summary>
/// <c>vigil ps</c>: processes the store saw start (or found as their ancestors), as a list or, with
/// <c>--tree</c>, as the process tree with containers. Without <c>--all</c> only processes still
/// running are shown: no exit stored, and /proc still has the same process (same exec id), which
/// also holds after the agent stopped.
/// </summary>
public static class PsCommand
{
    /// <summary>Longer command lines are cut so each process stays on one line of the tree.</summary>
    private const int MaxCommand = 120;

    public static Command Create()
    {
        var store = StoreQueries.StorePath();
        var output = StoreQueries.Output();
        var tree = new Option<bool>("--tree") { Description = "Show the process tree, with the container each subtree runs in" };
        var all = new Option<bool>("--all", "-a") { Description = "Include processes that exited" };
        var command = new Command("ps", "Processes from the edge store") { store, output, tree, all };
        command.SetAction(result => StoreQueries.Run("ps", result.GetValue(store)!, s =>
        {
            bool includeExited = result.GetValue(all);
            IReadOnlyList<StoredProcess> processes = [.. s.Processes(includeExited).Where(p => includeExited || IsRunning(p))];
            if (result.GetValue(output) == "json")
            {
                return StoreQueries.WriteJsonLines(processes);
            }
            Terminal.Create().Write(result.GetValue(tree) ? Tree(processes) : List(processes));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static bool IsRunning(StoredProcess p) =>
        ProcScanner.TryRead($"/proc/{p.Pid}", p.Pid) is { } now && now.ExecId.ToString() == p.ExecId;

    private static Table List(IReadOnlyList<StoredProcess> processes)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("PID", "PPID", "UID", "COMM", "CONTAINER", "STARTED", "COMMAND");
        foreach (StoredProcess p in processes)
        {
            table.AddRow(
                Terminal.Plain(p.Pid.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(p.ParentPid.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(p.UserId.ToString(CultureInfo.InvariantCulture)),
                Terminal.Plain(p.Name),
                Terminal.Plain(EventsCommand.ShortId(p.ContainerId)),
                Terminal.Plain(p.Start.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                Terminal.Plain(p.CommandLine));
        }
        return table;
    }

    /// <summary>Roots are processes whose parent the store does not know; a subtree entering a container says which.</summary>
    private static Tree Tree(IReadOnlyList<StoredProcess> processes)
    {
        var byExecId = processes.ToDictionary(p => p.ExecId);
        ILookup<string, StoredProcess> children = processes.ToLookup(p => p.ParentExecId);
        var root = new Tree(Terminal.Plain($"{processes.Count} processes"));
        foreach (StoredProcess top in processes.Where(p => !byExecId.ContainsKey(p.ParentExecId)))
        {
            Add(root.AddNode(Label(top, null)), top, children);
        }
        return root;
    }

    private static void Add(TreeNode node, StoredProcess parent, ILookup<string, StoredProcess> children)
    {
        foreach (StoredProcess child in children[parent.ExecId])
        {
            Add(node.AddNode(Label(child, parent)), child, children);
        }
    }

    private static Text Label(StoredProcess p, StoredProcess? parent)
    {
        string container = p.ContainerId != parent?.ContainerId ? $" [container {EventsCommand.ShortId(p.ContainerId)}]" : "";
        string command = p.CommandLine.Length > 0 ? p.CommandLine : p.Binary;
        if (command.Length > MaxCommand)
        {
            command = command[..MaxCommand] + "...";
        }
        string exited = p.Exit is { } exit ? $" (exited {exit.ToLocalTime():HH:mm:ss}, code {p.ExitCode})" : "";
        return Terminal.Plain($"{p.Pid} {p.Name}{container} {command}{exited}");
    }
}
