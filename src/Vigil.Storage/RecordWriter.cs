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
/// exec, fork and exit also into <c>processes</c>; network events
/// folded into <c>flows</c>; detections; the latest revision of each incident.
/// </summary>
internal sealed class RecordWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _json;
    private readonly EventBlocks _blocks;
    private readonly Statement _detection;
    private readonly Statement _incident;
    private readonly Statement _exec;
    private readonly Statement _knownProcess;
    private readonly Statement _exit;
    private readonly Statement _flow;

    public RecordWriter(SqliteConnection connection)
    {
        // Relaxed escaping keeps command lines readable ('>' stays '>'); the JSON is never embedded in HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
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
        _exec = new Statement(connection, """
            INSERT INTO processes (exec_id, pid, parent_exec_id, ppid, name, binary, command_line, user_id, container, start)
            VALUES ($exec_id, $pid, $parent_exec_id, $ppid, $name, $binary, $command_line, $user_id, $container, $start)
            ON CONFLICT (exec_id) DO UPDATE SET name = excluded.name, binary = excluded.binary, command_line = excluded.command_line,
                user_id = excluded.user_id, container = excluded.container
            """,
            "exec_id", "pid", "parent_exec_id", "ppid", "name", "binary", "command_line", "user_id", "container", "start");
        _knownProcess = new Statement(connection, """
            INSERT OR IGNORE INTO processes (exec_id, pid, parent_exec_id, ppid, name, binary, command_line, user_id, container, start)
            VALUES ($exec_id, $pid, $parent_exec_id, $ppid, $name, $binary, $command_line, $user_id, $container, $start)
            """,
            "exec_id", "pid", "parent_exec_id", "ppid", "name", "binary", "command_line", "user_id", "container", "start");
        _exit = new Statement(connection,
            "UPDATE processes SET exit = $exit, exit_code = $exit_code WHERE exec_id = $exec_id",
            "exit", "exit_code", "exec_id");
        _flow = new Statement(connection, """
            INSERT INTO flows (exec_id, pid, name, container, transport, direction, remote_address, remote_port, connections, bytes_sent, bytes_received, first_seen, last_seen)
            VALUES ($exec_id, $pid, $name, $container, $transport, $direction, $remote_address, $remote_port, $connections, $bytes_sent, $bytes_received, $time, $time)
            ON CONFLICT (exec_id, transport, direction, remote_address, remote_port) DO UPDATE SET
                connections = connections + excluded.connections, bytes_sent = bytes_sent + excluded.bytes_sent,
                bytes_received = bytes_received + excluded.bytes_received, last_seen = max(last_seen, excluded.last_seen)
            """,
            "exec_id", "pid", "name", "container", "transport", "direction", "remote_address", "remote_port", "connections", "bytes_sent", "bytes_received", "time");
    }

    /// <summary>Writes one record; returns false for a record type the store does not keep.</summary>
    public bool Write(SqliteTransaction tx, object record)
    {
        switch (record)
        {
            case VigilEvent e:
                WriteEvent(tx, e);
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

    private void WriteEvent(SqliteTransaction tx, VigilEvent e)
    {
        ProcessIdentity p = e.Process;
        string execId = p.ExecId.ToString();
        long time = StoreTime.ToMicros(e.Timestamp);
        string? container = ContainerOf(e.Context);
        _blocks.Add(tx, p.Comm, EventJson.Name(e), time, p.Pid, execId, container, Utf8(w => EventJson.Write(w, e)));
        switch (e)
        {
            case ProcessExecEvent exec:
                _exec.Run(tx, execId, p.Pid, p.ParentExecId.ToString(), p.ParentPid, p.Comm, exec.Binary, string.Join(' ', exec.Args),
                    p.EffectiveUid, container, StoreTime.ToMicros(e.Context?.StartTime is { Ticks: > 0 } start ? start : e.Timestamp));
                // Ancestors found in /proc at start never exec'd while the agent watched: the tree needs them too.
                for (ProcessInfo? ancestor = e.Context?.Parent; ancestor is not null; ancestor = ancestor.Parent)
                {
                    _knownProcess.Run(tx, ancestor.ExecId.ToString(), ancestor.Pid, ancestor.ParentExecId.ToString(), ancestor.ParentPid, ancestor.Comm,
                        ancestor.Binary, ancestor.CommandLine, ancestor.Uid, ContainerOf(ancestor), StoreTime.ToMicros(ancestor.StartTime));
                }
                break;
            case ProcessForkEvent fork:
                // The child runs its parent's image until it execs.
                _knownProcess.Run(tx, fork.ChildExecId.ToString(), fork.ChildPid, execId, p.Pid, p.Comm, e.Context?.Binary ?? "",
                    e.Context?.CommandLine ?? "", p.EffectiveUid, container, time);
                break;
            case ProcessExitEvent exit:
                _exit.Run(tx, time, exit.ExitCode, execId);
                break;
            case NetworkEvent net:
                bool outbound = net.Direction == NetworkDirection.Outbound;
                bool opens = net.Syscall is "connect" or "accept";
                _flow.Run(tx, execId, p.Pid, p.Comm, container, net.Protocol == TransportProtocol.Tcp ? "tcp" : "udp", outbound ? "transmit" : "receive",
                    (outbound ? net.DestinationAddress : net.SourceAddress).ToString(), outbound ? net.DestinationPort : net.SourcePort,
                    opens ? 1 : 0, (long)net.BytesSent, (long)net.BytesReceived, time);
                break;
        }
    }

    private static string? ContainerOf(ProcessInfo? process) => process?.Container is { IsHost: false } c ? c.Id : null;

    /// <summary>Writes the events' blocks still open; call once per batch, before it commits.</summary>
    public void Flush(SqliteTransaction tx) => _blocks.Flush(tx);

    /// <summary>Forgets what was written but not committed (a rolled-back batch), or event keys retention deleted.</summary>
    public void Reset() => _blocks.Reset();

    private string Json(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(Utf8(write));

    /// <summary>The JSON as UTF-8, valid until the next call.</summary>
    private ReadOnlySpan<byte> Utf8(Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        write(_json);
        _json.Flush();
        return _buffer.WrittenSpan;
    }

    public void Dispose()
    {
        _json.Dispose();
        _blocks.Dispose();
        foreach (Statement s in new[] { _detection, _incident, _exec, _knownProcess, _exit, _flow })
        {
            s.Dispose();
        }
    }
}
