using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Enrichment.Processes;
using Vigil.Events;

namespace Vigil.Agent.Api;

/// <summary>
/// GET /api/processes: the process cache as a tree (each node with its container) plus the
/// containers seen; GET /api/processes/{execId}: one process with its ancestors, children,
/// recent events, connections and files.
/// </summary>
public static class ProcessRoutes
{
    public const int EventsPerProcess = 1000;

    public static void Map(RouteGroupBuilder api, ProcessCache processes, IHistory history)
    {
        api.MapGet("/processes", () => ApiJson.Body(w => WriteTree(w, processes.Snapshot())));

        api.MapGet("/processes/{execId}", (string execId) =>
        {
            if (!ExecId.TryParse(execId, out ExecId id))
            {
                return Results.BadRequest(new { error = $"{execId} is not an exec id (BOOTTIME-PID-STARTTICKS)" });
            }
            if (processes.Find(id) is not { } process)
            {
                return Results.NotFound(new { error = $"process {execId} is not in the process cache" });
            }
            List<ProcessInfo> children = [.. processes.Snapshot().Where(p => p.ParentExecId == id).OrderBy(p => p.StartTime)];
            IReadOnlyList<JsonRecord> events = history.EventsOf(id.ToString(), EventsPerProcess);
            return ApiJson.Body(w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("process");
                WriteProcess(w, process);
                w.WritePropertyName("ancestors");
                ApiJson.Array(w, ProcessCache.Ancestors(process, 64), WriteProcess);
                w.WritePropertyName("children");
                ApiJson.Array(w, children, WriteProcess);
                w.WritePropertyName("events");
                ApiJson.Array(w, events, ApiJson.Raw);
                w.WritePropertyName("connections");
                ApiJson.Array(w, events.Where(e => e.Name.StartsWith("network.", StringComparison.Ordinal)), ApiJson.Raw);
                w.WritePropertyName("files");
                ApiJson.Array(w, events.Where(e => e.Name.StartsWith("file.", StringComparison.Ordinal)), ApiJson.Raw);
                w.WriteEndObject();
            });
        });
    }

    private static void WriteTree(Utf8JsonWriter w, List<ProcessInfo> all)
    {
        var byId = all.ToDictionary(p => p.ExecId);
        ILookup<ExecId, ProcessInfo> children = all.Where(p => byId.ContainsKey(p.ParentExecId) && p.ParentExecId != p.ExecId)
            .OrderBy(p => p.StartTime).ToLookup(p => p.ParentExecId);
        w.WriteStartObject();
        w.WriteNumber("count", all.Count);
        w.WriteStartArray("containers");
        foreach (IGrouping<string, ProcessInfo> group in all.Where(p => p.Container is not null).GroupBy(p => p.Container!.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            ContainerInfo c = group.First().Container!;
            w.WriteStartObject();
            w.WriteString("container.id", c.ShortId);
            w.WriteString("container.runtime", c.Runtime.ToString().ToLowerInvariant());
            if (c.Name is { } name)
            {
                w.WriteString("container.name", name);
            }
            w.WriteNumber("processes", group.Count());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("roots");
        foreach (ProcessInfo root in all.Where(p => !byId.ContainsKey(p.ParentExecId) || p.ParentExecId == p.ExecId).OrderBy(p => p.Pid))
        {
            WriteNode(w, root, children);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNode(Utf8JsonWriter w, ProcessInfo p, ILookup<ExecId, ProcessInfo> children)
    {
        WriteFields(w, p);
        w.WriteStartArray("children");
        foreach (ProcessInfo child in children[p.ExecId])
        {
            WriteNode(w, child, children);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteProcess(Utf8JsonWriter w, ProcessInfo p)
    {
        WriteFields(w, p);
        w.WriteEndObject();
    }

    /// <summary>Opens the object and writes the process's attributes (named as in events); the caller closes it.</summary>
    private static void WriteFields(Utf8JsonWriter w, ProcessInfo p)
    {
        w.WriteStartObject();
        w.WriteString("vigil.exec_id", p.ExecId.ToString());
        w.WriteString("vigil.parent.exec_id", p.ParentExecId.ToString());
        w.WriteNumber("process.pid", p.Pid);
        w.WriteNumber("process.parent.pid", p.ParentPid);
        w.WriteString("process.name", p.Comm);
        w.WriteString("process.executable.path", p.Binary);
        w.WriteString("process.command_line", p.CommandLine);
        w.WriteNumber("user.id", p.Uid);
        w.WriteString("process.creation.time", p.StartTime);
        if (p.ExitTime is { } exited)
        {
            w.WriteString("vigil.exit.time", exited);
        }
        if (p.Container is { } c)
        {
            w.WriteString("container.id", c.ShortId);
        }
    }
}
