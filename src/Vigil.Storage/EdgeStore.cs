using Microsoft.Data.Sqlite;
using Vigil.Storage.Records;

namespace Vigil.Storage;

/// <summary>
/// The edge store: one SQLite file in WAL mode. One writer (the agent's store sink) appends batches,
/// one transaction each, and keeps the file inside its age and size budgets; any number of readers,
/// in this or another process, query it at the same time (<see cref="OpenReadOnly"/>). A commit
/// survives the writer being killed: a kill -9 loses only records not yet committed.
/// </summary>
public sealed partial class EdgeStore : IDisposable
{
    private const int SqliteFull = 13;

    /// <summary>How often retention by age runs; size is checked after every batch.</summary>
    private static readonly TimeSpan AgeCheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long process and flow rows may stay folded in memory while the writer is busy (full batches).</summary>
    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(5);

    private readonly SqliteConnection _connection;
    private readonly FileStream? _writerLock;
    private readonly StoreOptions? _options;
    private readonly RecordWriter? _writer;
    private readonly Retention? _retention;
    private readonly long _runId;
    private DateTime _nextAgeCheck;
    private DateTime _nextSummaries;
    private long _written;

    private EdgeStore(string path, SqliteConnection connection, StoreOptions? options, FileStream? writerLock = null, string? setAside = null)
    {
        Path = path;
        SetAside = setAside;
        _connection = connection;
        _options = options;
        _writerLock = writerLock;
        if (options is null)
        {
            return;
        }
        StoreSchema.Create(connection);
        StoreSchema.Check(connection, path);
        StoreSchema.Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 16777216; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY");
        _retention = new Retention(connection, options);
        _retention.CapFile();
        _retention.EnforceSize();
        UncleanStop = CloseUncleanRuns();
        _runId = Insert("INSERT INTO runs (started) VALUES ($t) RETURNING id", StoreTime.ToMicros(DateTime.UtcNow));
        _writer = new RecordWriter(connection);
    }

    public string Path { get; }

    /// <summary>Where a store of an older vigil's schema was moved when this one started afresh; null when none was.</summary>
    public string? SetAside { get; }

    /// <summary>The previous writer's run when it ended without closing the store (kill -9, crash); null otherwise.</summary>
    public StoreRun? UncleanStop { get; }

    /// <summary>Records written by this writer.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records deleted by retention (age or size) since the store was opened.</summary>
    public long Deleted => _retention?.Deleted ?? 0;

    /// <summary>Bytes of the database file now.</summary>
    public long FileBytes => (long)StoreSchema.Scalar(_connection, "PRAGMA page_count")! * (long)StoreSchema.Scalar(_connection, "PRAGMA page_size")!;

    /// <summary>Opens (creating it when missing) the store for writing; only the agent does this.</summary>
    public static EdgeStore Open(StoreOptions options)
    {
        options.Validate();
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        // One writer per file: its run bookkeeping and retention assume it. The kernel drops the lock when the writer dies, kill -9 included.
        FileStream writerLock;
        try
        {
            writerLock = new FileStream(options.Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new StoreException($"store {options.Path} is in use by another writer (another vigil run): {ex.Message}", ex);
        }
        try
        {
            string? setAside = SetAsideOlderSchema(options.Path);
            return Connect(options.Path, SqliteOpenMode.ReadWriteCreate, c => new EdgeStore(options.Path, c, options, writerLock, setAside));
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An upgraded agent must not run without its store because the file is of an older schema, nor
    /// delete what the operator may still want: the old file (with its WAL) is renamed beside it, where
    /// the older vigil can still read it. Files that are not vigil stores are left for Check to refuse.
    /// </summary>
    private static string? SetAsideOlderSchema(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        long version = Connect(path, SqliteOpenMode.ReadOnly, c =>
        {
            using (c)
            {
                return (long)StoreSchema.Scalar(c, "PRAGMA user_version")!;
            }
        });
        if (version is < 1 or >= StoreSchema.Version)
        {
            return null;
        }
        string aside = $"{path}.schema{version}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss}";
        foreach (string suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix);
            }
        }
        File.Move(path, aside);
        return aside;
    }

    /// <summary>Opens an existing store for queries; safe while the agent writes it.</summary>
    public static EdgeStore OpenReadOnly(string path)
    {
        if (!File.Exists(path))
        {
            throw new StoreException($"no store at {path}: `vigil run` creates it (--store PATH chooses where)");
        }
        return Connect(path, SqliteOpenMode.ReadOnly, c =>
        {
            StoreSchema.Check(c, path);
            return new EdgeStore(path, c, null);
        });
    }

    private static T Connect<T>(string path, SqliteOpenMode mode, Func<SqliteConnection, T> create)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        try
        {
            connection.Open();
            StoreSchema.Execute(connection, "PRAGMA busy_timeout = 5000");
            return create(connection);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new StoreException($"store {path}: {ex.Message}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes a batch of records (events, detections, incident revisions) in one transaction, then
    /// keeps the budgets. <paramref name="backlog"/> (records still queued) and <paramref name="dropped"/>
    /// (records the queue refused so far) are recorded with the commit, so a later run can say what a
    /// crash may have cost.
    /// </summary>
    public void Write(IReadOnlyList<object> batch, long backlog = 0, long dropped = 0)
    {
        if (_writer is null || _retention is null)
        {
            throw new InvalidOperationException($"store {Path} is open read-only");
        }
        _writer.Summarize(batch);
        // A writer that has caught up (a batch smaller than the most it takes) writes the process and flow
        // rows with every batch; a busy one at most once an interval, each row once for all its events.
        DateTime now = DateTime.UtcNow;
        bool summaries = batch.Count < _options!.BatchSize || now >= _nextSummaries;
        WithRoom(() => Commit(batch, backlog, dropped, summaries));
        if (summaries)
        {
            _writer.SummariesWritten();
            _nextSummaries = now + SummaryInterval;
        }
        long deleted = _retention.Deleted;
        if (now >= _nextAgeCheck)
        {
            _retention.DeleteOlderThan(now - _options!.Retention);
            _nextAgeCheck = now + AgeCheckInterval;
        }
        _retention.EnforceSize();
        if (_retention.Deleted != deleted)
        {
            // Retention may have deleted event keys the writer remembers as written.
            _writer.Reset();
        }
    }

    /// <summary>Runs a transaction; one that would grow the file past its budget is run again after the oldest records are pruned.</summary>
    private void WithRoom(Action commit)
    {
        try
        {
            try
            {
                commit();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteFull)
            {
                _writer!.Reset();
                _retention!.EnforceSize(force: true);
                commit();
            }
        }
        catch
        {
            // Rolled back: what the writer counted as written (block ids, event keys) is not.
            _writer!.Reset();
            throw;
        }
    }

    private void Commit(IReadOnlyList<object> batch, long backlog, long dropped, bool summaries)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        int written = 0;
        foreach (object record in batch)
        {
            if (_writer!.Write(tx, record))
            {
                written++;
            }
        }
        _writer!.Flush(tx, summaries);
        using (SqliteCommand run = _connection.CreateCommand())
        {
            run.Transaction = tx;
            run.CommandText = "UPDATE runs SET written = written + $n, dropped = $dropped, backlog = $backlog, last_commit = $t WHERE id = $id";
            run.Parameters.AddWithValue("$n", written);
            run.Parameters.AddWithValue("$dropped", dropped);
            run.Parameters.AddWithValue("$backlog", backlog);
            run.Parameters.AddWithValue("$t", StoreTime.ToMicros(DateTime.UtcNow));
            run.Parameters.AddWithValue("$id", _runId);
            run.ExecuteNonQuery();
        }
        tx.Commit();
        Interlocked.Add(ref _written, written);
    }

    /// <summary>Marks runs that never closed as ended uncleanly at their last commit; returns the latest of them.</summary>
    private StoreRun? CloseUncleanRuns()
    {
        StoreRun? latest = Runs().LastOrDefault(r => r.Stopped is null);
        StoreSchema.Execute(_connection, "UPDATE runs SET stopped = coalesce(last_commit, started), clean = 0 WHERE stopped IS NULL");
        return latest is null ? null : latest with { Stopped = latest.LastCommit ?? latest.Started };
    }

    private void Stop()
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        _writer!.Flush(tx, summaries: true);
        using (SqliteCommand command = _connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = "UPDATE runs SET stopped = $t, clean = 1 WHERE id = $id";
            command.Parameters.AddWithValue("$t", StoreTime.ToMicros(DateTime.UtcNow));
            command.Parameters.AddWithValue("$id", _runId);
            command.ExecuteNonQuery();
        }
        tx.Commit();
    }

    private long Insert(string sql, long value)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$t", value);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A writer writes the process and flow rows still folded and records a clean stop; the last connection to close folds the WAL into the file.</summary>
    public void Dispose()
    {
        try
        {
            if (_writer is not null)
            {
                WithRoom(Stop);
            }
        }
        finally
        {
            _writer?.Dispose();
            _connection.Dispose();
            _writerLock?.Dispose();
        }
    }
}
