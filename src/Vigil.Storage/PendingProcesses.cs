using Microsoft.Data.Sqlite;
using Vigil.Events;

namespace Vigil.Storage;

/// <summary>
/// Exec, fork and exit folded into <c>processes</c> rows in memory until they are written: one
/// statement per process and interval instead of one per event (and per ancestor of every exec).
/// The rows come out as the statements one per event would have left them: the first event that
/// inserts a process gives its pid, parent and start; the latest exec its name, binary, command
/// line, user and container; the latest exit its exit.
/// </summary>
internal sealed class PendingProcesses
{
    private readonly Dictionary<ExecId, PendingProcess> _processes = [];

    /// <summary>The statement <see cref="Write"/> runs for a process something inserts, compiled once by the writer.</summary>
    public static Statement Upsert(SqliteConnection connection) => new(connection, """
            INSERT INTO processes (exec_id, pid, parent_exec_id, ppid, name, binary, command_line, user_id, container, start, exit, exit_code)
            VALUES ($exec_id, $pid, $parent_exec_id, $ppid, $name, $binary, $command_line, $user_id, $container, $start, $exit, $exit_code)
            ON CONFLICT (exec_id) DO UPDATE SET
                name = iif($exec, excluded.name, name), binary = iif($exec, excluded.binary, binary),
                command_line = iif($exec, excluded.command_line, command_line), user_id = iif($exec, excluded.user_id, user_id),
                container = iif($exec, excluded.container, container),
                exit = coalesce(excluded.exit, exit), exit_code = iif(excluded.exit IS NULL, exit_code, excluded.exit_code)
            """,
            "exec_id", "pid", "parent_exec_id", "ppid", "name", "binary", "command_line", "user_id", "container", "start", "exit", "exit_code", "exec");

    /// <summary>The statement <see cref="Write"/> runs for an exit of a process only the table knows.</summary>
    public static Statement ExitStored(SqliteConnection connection) => new(connection,
        "UPDATE processes SET exit = $exit, exit_code = $exit_code WHERE exec_id = $exec_id",
        "exit", "exit_code", "exec_id");

    /// <summary>A process seen exec'ing: inserted if new, its image (name, binary, command line, user, container) replaced if known.</summary>
    public void Exec(ProcessRow row)
    {
        PendingProcess pending = Get(row.ExecId);
        pending.Inserted ??= row;
        pending.Image = row;
    }

    /// <summary>A process known to exist (a forked child, an exec's ancestor): inserted if new, left alone if known.</summary>
    public void Known(ProcessRow row) => Get(row.ExecId).Inserted ??= row;

    /// <summary>Whether something since the last write inserts the process (so a <see cref="Known"/> row for it would change nothing).</summary>
    public bool Inserts(ExecId execId) => _processes.TryGetValue(execId, out PendingProcess? p) && p.Inserted is not null;

    public void Exit(ExecId execId, long time, uint code)
    {
        PendingProcess pending = Get(execId);
        // An exit before anything inserted the process applies only to a row already stored, as the UPDATE it stands for.
        if (pending.Inserted is null)
        {
            pending.StoredExit = (time, code);
        }
        else
        {
            pending.Exit = (time, code);
        }
    }

    /// <summary>Writes what was folded (<paramref name="upsert"/> from <see cref="Upsert"/>, <paramref name="exitStored"/> from <see cref="ExitStored"/>).</summary>
    public void Write(Statement upsert, Statement exitStored)
    {
        foreach ((ExecId execId, PendingProcess p) in _processes)
        {
            string id = execId.ToString();
            if (p.StoredExit is var (storedTime, storedCode))
            {
                exitStored.Run(storedTime, storedCode, id);
            }
            if (p.Inserted is not { } first)
            {
                continue;
            }
            ProcessRow image = p.Image ?? first;
            upsert.Run(id, first.Pid, first.ParentExecId.ToString(), first.ParentPid, image.Name, image.Binary, image.CommandLine, image.UserId,
                image.Container, first.Start, p.Exit?.Time, p.Exit?.Code, p.Image is not null);
        }
    }

    private PendingProcess Get(ExecId execId)
    {
        if (!_processes.TryGetValue(execId, out PendingProcess? pending))
        {
            pending = new PendingProcess();
            _processes.Add(execId, pending);
        }
        return pending;
    }

    private sealed class PendingProcess
    {
        public ProcessRow? Inserted { get; set; }

        public ProcessRow? Image { get; set; }

        public (long Time, uint Code)? Exit { get; set; }

        public (long Time, uint Code)? StoredExit { get; set; }
    }
}
