using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigil.Storage.Records;

namespace Vigil.Agent.Output;

/// <summary>
/// An incident in the terminal: the verdict, the timeline (root cause marked), the causal chain as a
/// tree grown from the root cause along its edges (each with its reason), and what is missing.
/// </summary>
internal static class IncidentView
{
    public static void Write(IAnsiConsole console, StoredIncident incident, JsonElement json)
    {
        JsonElement root = json.GetProperty("vigil.incident.root_cause");
        long rootId = root.GetProperty("id").GetInt64();
        console.Write(new Rule(Markup.Escape($"Incident {incident.Id}")).LeftJustified());
        var verdict = new Grid().AddColumn().AddColumn();
        verdict.AddRow(Terminal.Plain("Title"), Terminal.Plain(incident.Title));
        verdict.AddRow(Terminal.Plain("Status"), Terminal.Plain($"{incident.Status}, revision {incident.Revision}"));
        verdict.AddRow(Terminal.Plain("Confidence"), Terminal.Plain(incident.Confidence.ToString("0.00", CultureInfo.InvariantCulture)));
        verdict.AddRow(Terminal.Plain("Active"), Terminal.Plain($"{Time(incident.FirstSeen)} to {Time(incident.LastSeen)}"));
        verdict.AddRow(Terminal.Plain("Root cause"), Terminal.Plain(Describe(root)));
        if (LeftOut(json) is { Length: > 0 } leftOut)
        {
            verdict.AddRow(Terminal.Plain("Left out"), Terminal.Plain(leftOut));
        }
        console.Write(verdict);

        Dictionary<long, JsonElement> signals = json.GetProperty("vigil.incident.timeline").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetInt64());
        console.Write(new Rule("Timeline").LeftJustified());
        var timeline = new Table().Border(TableBorder.Simple).AddColumns("", "#", "TIME", "KIND", "NAME", "SEQUENCE STEP", "PID", "BINARY", "DESCRIPTION");
        foreach (JsonElement s in signals.Values)
        {
            timeline.AddRow(
                Terminal.Plain(s.GetProperty("id").GetInt64() == rootId ? "root cause >" : ""),
                Terminal.Plain(EventDetail.Number(s, "id")),
                Terminal.Plain(s.GetProperty("time").GetDateTime().ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)),
                Terminal.Plain(EventDetail.Text(s, "kind")),
                Terminal.Plain(EventDetail.Text(s, "name")),
                Terminal.Plain(EventDetail.Text(s, "vigil.sequence.step")),
                Terminal.Plain(EventDetail.Number(s, "process.pid")),
                Terminal.Plain(EventDetail.Text(s, "process.executable.path")),
                Terminal.Plain(EventDetail.Text(s, "description")));
        }
        console.Write(timeline);

        console.Write(new Rule("Causal chain").LeftJustified());
        console.Write(Chain(json.GetProperty("vigil.incident.chain"), signals, root, rootId));

        console.Write(new Rule("Missing").LeftJustified());
        string[] missing = [.. json.GetProperty("vigil.incident.missing").EnumerateArray().Select(m => m.GetString() ?? "")];
        console.WriteLine(missing.Length == 0 ? "nothing known to be missing" : string.Join(Environment.NewLine, missing.Select(m => "- " + m)));
    }

    /// <summary>Edges grown from the root cause; signals the edges do not reach from it hang under their own node.</summary>
    private static Tree Chain(JsonElement chain, Dictionary<long, JsonElement> signals, JsonElement root, long rootId)
    {
        ILookup<long, JsonElement> edgesFrom = chain.EnumerateArray().ToLookup(e => e.GetProperty("from").GetInt64());
        var tree = new Tree(Terminal.Plain($"#{rootId} {Describe(root)}"));
        var placed = new HashSet<long> { rootId };
        Grow(tree, rootId, edgesFrom, signals, placed);
        TreeNode? unlinked = null;
        foreach (long from in edgesFrom.Select(g => g.Key).Where(id => !placed.Contains(id)).Order())
        {
            unlinked ??= tree.AddNode(Terminal.Plain("not reached from the root cause:"));
            placed.Add(from);
            Grow(unlinked.AddNode(Terminal.Plain($"#{from} {(signals.TryGetValue(from, out JsonElement s) ? Describe(s) : "")}")), from, edgesFrom, signals, placed);
        }
        return tree;
    }

    private static void Grow(IHasTreeNodes node, long from, ILookup<long, JsonElement> edgesFrom, Dictionary<long, JsonElement> signals, HashSet<long> placed)
    {
        foreach (JsonElement edge in edgesFrom[from])
        {
            long to = edge.GetProperty("to").GetInt64();
            if (!placed.Add(to))
            {
                continue;
            }
            string target = signals.TryGetValue(to, out JsonElement s) ? Describe(s) : "";
            string reason = $"{EventDetail.Text(edge, "reason")} {edge.GetProperty("strength").GetDouble().ToString("0.00", CultureInfo.InvariantCulture)}";
            string detail = EventDetail.Text(edge, "detail") is { Length: > 0 } d ? $": {d}" : "";
            Grow(node.AddNode(Terminal.Plain($"#{to} {target}  <- {reason}{detail}")), to, edgesFrom, signals, placed);
        }
    }

    private static string Describe(JsonElement signal)
    {
        string[] where = [.. new[] { EventDetail.Number(signal, "process.pid") is { Length: > 0 } pid ? "pid " + pid : "", EventDetail.Text(signal, "process.executable.path") }
            .Where(part => part.Length > 0)];
        string step = EventDetail.Text(signal, "vigil.sequence.step") is { Length: > 0 } s ? $" as step {s}" : "";
        string name = $"{EventDetail.Text(signal, "kind")} {EventDetail.Text(signal, "name")}{step}";
        return where.Length == 0 ? name : $"{name} ({string.Join(' ', where)})";
    }

    /// <summary>What the incident's caps left out: findings between the first and the most recent ones, by rule, and plain events.</summary>
    private static string LeftOut(JsonElement json)
    {
        var parts = new List<string>();
        if (json.TryGetProperty("vigil.incident.findings_omitted", out JsonElement omitted))
        {
            IEnumerable<(string Rule, long Count)> byRule = omitted.EnumerateObject().Select(p => (p.Name, p.Value.GetInt64()));
            parts.Add($"{byRule.Sum(r => r.Count)} findings ({string.Join("; ", byRule.Select(r => $"{r.Rule}: {r.Count}"))})");
        }
        if (json.TryGetProperty("vigil.incident.evidence_dropped", out JsonElement dropped))
        {
            parts.Add($"{dropped.GetInt64()} plain events");
        }
        return string.Join(", ", parts);
    }

    private static string Time(DateTime time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
