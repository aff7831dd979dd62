using System.Buffers;
using System.Text;
using System.Text.Json;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Turns a batch of records into a <see cref="PreparedBatch"/> on the appending thread: events into
/// encoded blocks (<see cref="EventBlocks"/>), detections and incidents into rendered rows, and exec,
/// fork, exit and network events folded into the pending <c>processes</c> and <c>flows</c> rows, which
/// a batch carries when the caller says they are due.
/// </summary>
internal sealed class BatchPreparer : IDisposable
{
    /// <summary>Relaxed escaping keeps command lines readable ('>' stays '>'); the JSON is never embedded in HTML.</summary>
    public static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _json;
    private readonly EventBlocks _blocks = new();
    private PendingProcesses _processes = new();
    private PendingFlows _flows = new();
    private int _forgetKeys;

    public BatchPreparer() => _json = new Utf8JsonWriter(_buffer, JsonOptions);

    /// <summary>Asks the next <see cref="Prepare"/> to forget which event keys were written (retention deleted some); any thread.</summary>
    public void ForgetKeys() => Interlocked.Exchange(ref _forgetKeys, 1);

    /// <param name="summaries">Whether the batch carries the process and flow rows folded so far (with its own).</param>
    public PreparedBatch Prepare(IReadOnlyList<object> records, long backlog, long dropped, bool summaries)
    {
        if (Interlocked.Exchange(ref _forgetKeys, 0) == 1)
        {
            _blocks.ForgetKeys();
        }
        var batch = new PreparedBatch { Backlog = backlog, Dropped = dropped };
        foreach (object record in records)
        {
            switch (record)
            {
                case VigilEvent e:
                    Summarize(e);
                    _blocks.Add(e, ContainerOf(e.Context));
                    break;
                case RuleDetection d:
                    ProcessIdentity p = d.Event.Process;
                    batch.Detections.Add([StoreTime.ToMicros(d.Event.Timestamp), d.RuleName, (int)d.Priority, p.Pid, p.ExecId.ToString(), p.Comm,
                        ContainerOf(d.Event.Context), Json(w => DetectionJson.Write(w, d))]);
                    break;
                case IncidentReport i:
                    batch.Incidents.Add([i.Id, i.Revision, i.Status.ToString().ToLowerInvariant(), i.Title, StoreTime.ToMicros(i.FirstSeen),
                        StoreTime.ToMicros(i.LastSeen), i.Confidence, Json(w => IncidentJson.Write(w, i))]);
                    break;
                default:
                    continue; // a record type the store does not keep
            }
            batch.Records++;
        }
        _blocks.Encode(batch);
        if (summaries)
        {
            batch.Processes = _processes;
            batch.Flows = _flows;
            _processes = new PendingProcesses();
            _flows = new PendingFlows();
        }
        return batch;
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

    private static string? ContainerOf(ProcessInfo? process) => process?.Container is { IsHost: false } c ? c.Id : null;

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
    }
}
