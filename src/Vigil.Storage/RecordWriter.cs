using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Writes records into the tables inside the caller's transaction, with statements compiled once:
/// every event into a block of <c>event_blocks</c> (<see cref="EventBlocks"/>, written by <see cref="Flush"/>);
/// detections; the latest revision of each incident. Exec, fork and exit are folded into
/// <c>processes</c> rows and network events into <c>flows</c> rows in memory (<see cref="Summarize"/>),
/// written when the caller says (<see cref="Flush"/>).
/// </summary>
internal sealed class RecordWriter : IDisposable
{
    /// <summary>Relaxed escaping keeps command lines readable ('>' stays '>'); the JSON is never embedded in HTML.</summary>
    public static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _json;
    private readonly EventBlocks _blocks;
    private readonly Statement _detection;
    private readonly Statement _incident;
    private readonly PendingFlows _flows;
    private readonly PendingProcesses _processes;

    public RecordWriter(SqliteConnection connection)
    {
        _json = new Utf8JsonWriter(_buffer, JsonOptions);
        _blocks = new EventBlocks(connection);
        _detection = new Statement(connection,
            "INSERT INTO detections (time, rule, priority, pid, exec_id, name, container, json) VALUES ($time, $rule, $priority, $pid, $exec_id, $name, $container, $json)",
            "time", "rule", "priority", "pid", "exec_id", "name", "container", "json");
        _incident = new Statement(connection, """
            INSERT INTO incidents (id, revision, status, title, first_seen, last_seen, confidence, json)
            VALUES ($id, $revision, $status, $title, $first_seen, $last_seen, $confidence, $json)
            ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, status = excluded.status, title = excluded.title,
                first_seen = excluded.first_seen, last_seen = excluded.last_seen, confidence = excluded.confidence, json = excluded.json
            WHERE excluded.revision > incidents.revision
            """,
            "id", "revision", "status", "title", "first_seen", "last_seen", "confidence", "json");
        _flows = new PendingFlows(connection);
        _processes = new PendingProcesses(connection);
    }

    /// <summary>Writes one record; returns false for a record type the store does not keep.</summary>
    public bool Write(SqliteTransaction tx, object record)
    {
        switch (record)
        {
            case VigilEvent e:
                _blocks.Add(e, ContainerOf(e.Context));
                return true;
            case RuleDetection d:
                ProcessIdentity p = d.Event.Process;
                _detection.Run(tx, StoreTime.ToMicros(d.Event.Timestamp), d.RuleName, (int)d.Priority, p.Pid, p.ExecId.ToString(), p.Comm,
                    ContainerOf(d.Event.Context), Json(w => DetectionJson.Write(w, d)));
                return true;
            case IncidentReport i:
                _incident.Run(tx, i.Id, i.Revision, i.Status.ToString().ToLowerInvariant(), i.Title, StoreTime.ToMicros(i.FirstSeen),
                    StoreTime.ToMicros(i.LastSeen), i.Confidence, Json(w => IncidentJson.Write(w, i)));
                return true;
            default:
                return false;
        }
    }


    /// <summary>
    /// Folds a batch's exec, fork, exit and network events into the pending process and flow rows,
    /// once per batch (not again when a batch is written a second time).
    /// </summary>
    public void Summarize(IReadOnlyList<object> batch)
    {
        foreach (object record in batch)
        {
            if (record is VigilEvent e)
            {
                Summarize(e);
            }
        }
    }

    private void Summarize(VigilEvent e)
    {
        ProcessIdentity p = e.Process;
        long time = StoreTime.ToMicros(e.Timestamp);
        switch (e)
        {
            case ProcessExecEvent exec:
                _processes.Exec(new ProcessRow(p.ExecId, p.Pid, p.ParentExecId, p.ParentPid, p.Comm, exec.Binary, string.Join(' ', exec.Args),
                    p.EffectiveUid, ContainerOf(e.Context), StoreTime.ToMicros(e.Context?.StartTime is { Ticks: > 0 } start ? start : e.Timestamp)));
                // Ancestors found in /proc at start never exec'd while the agent watched: the tree needs them too.
                for (ProcessInfo? ancestor = e.Context?.Parent; ancestor is not null; ancestor = ancestor.Parent)
                {
                    if (!_processes.Inserts(ancestor.ExecId))
                    {
                        _processes.Known(new ProcessRow(ancestor.ExecId, ancestor.Pid, ancestor.ParentExecId, ancestor.ParentPid, ancestor.Comm,
                            ancestor.Binary, ancestor.CommandLine, ancestor.Uid, ContainerOf(ancestor), StoreTime.ToMicros(ancestor.StartTime)));
                    }
                }
                break;
            case ProcessForkEvent fork:
                // The child runs its parent's image until it execs.
                _processes.Known(new ProcessRow(fork.ChildExecId, fork.ChildPid, p.ExecId, p.Pid, p.Comm, e.Context?.Binary ?? "",
                    e.Context?.CommandLine ?? "", p.EffectiveUid, ContainerOf(e.Context), time));
                break;
            case ProcessExitEvent exit:
                _processes.Exit(p.ExecId, time, exit.ExitCode);
                break;
            case NetworkEvent net:
                _flows.Add(net, time, ContainerOf(e.Context));
                break;
        }
    }

    public void SummariesWritten()
    {
        _processes.Clear();
        _flows.Clear();
    }

    private static string? ContainerOf(ProcessInfo? process) => process?.Container is { IsHost: false } c ? c.Id : null;

    /// <summary>
    /// Encodes and writes the batch's event blocks, with the folded process and flow rows when
    /// <paramref name="summaries"/> (call <see cref="SummariesWritten"/> once the transaction committed);
    /// once per batch, before it commits.
    /// </summary>
    public void Flush(SqliteTransaction tx, bool summaries) => _blocks.Flush(tx, () =>
    {
        if (summaries)
        {
            _processes.Write(tx);
            _flows.Write(tx);
        }
    });

    /// <summary>Forgets what was written but not committed (a rolled-back batch), or event keys retention deleted.</summary>
    public void Reset() => _blocks.Reset();

    private string Json(Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        write(_json);
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose()
    {
        _json.Dispose();
        _blocks.Dispose();
        _detection.Dispose();
        _incident.Dispose();
        _processes.Dispose();
        _flows.Dispose();
    }
}
