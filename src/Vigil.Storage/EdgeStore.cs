using Microsoft.Data.Sqlite;
using Vigil.Storage.Records;

namespace Vigil.Storage;

/// <summary>
/// The edge store: one SQLite file in WAL mode. One writer (the agent's store sink) appends batches,
/// one transaction each, and keeps the file inside its age and size budgets; any number of readers,
/// in this or another process, query it at the same time (<see cref="OpenReadOnly"/>). A batch is
/// prepared on the appending thread and committed on the store's commit thread, while the next one
/// is prepared (<see cref="Append"/>). A commit survives the writer being killed: a kill -9 loses
/// only records not yet committed.
/// </summary>
public sealed partial class EdgeStore : IDisposable
{
    private const int SqliteFull = 13;

    /// <summary>How often retention by age runs; size is checked after every batch.</summary>
    private static readonly TimeSpan AgeCheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long process and flow rows may stay folded in memory while the writer is busy (full batches).</summary>
    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(5);

    /// <summary>Batches that failed to commit whose leftovers (<see cref="PreparedBatch.Leftovers"/>) are kept for the next commit; older ones are given up.</summary>
    private const int MaxLeftovers = 16;

    private readonly SqliteConnection _connection;
    private readonly FileStream? _writerLock;
    private readonly StoreOptions? _options;
    private readonly BatchPreparer? _preparer;
    private readonly BatchWriter? _writer;
    private readonly CommitThread? _commits;
    private readonly WalCheckpointer? _checkpointer;
    private readonly Retention? _retention;
    private readonly List<PreparedBatch> _leftovers = [];
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
        StoreSchema.Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 16777216; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0");
        _retention = new Retention(connection, options);
        _retention.CapFile();
        _retention.EnforceSize();
        UncleanStop = CloseUncleanRuns();
        _runId = Insert("INSERT INTO runs (started) VALUES ($t) RETURNING id", StoreTime.ToMicros(DateTime.UtcNow));
        _writer = new BatchWriter(connection);
        _preparer = new BatchPreparer();
        _checkpointer = new WalCheckpointer(Connect(path, SqliteOpenMode.ReadWrite, c => c));
        _commits = new CommitThread("vigil store commit", CommitPrepared);
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
    /// Writes a batch of records (events, detections, incident revisions) in one transaction and
    /// returns once it committed; see <see cref="Append"/>. Throws <see cref="StoreCommitException"/>
    /// when this batch or one appended before failed to commit.
    /// </summary>
    public void Write(IReadOnlyList<object> batch, long backlog = 0, long dropped = 0)
    {
        Append(batch, backlog, dropped);
        Flush();
    }

    /// <summary>
    /// Prepares a batch of records (events, detections, incident revisions) on this thread and hands
    /// it to the commit thread, which writes it in one transaction and then keeps the budgets; returns
    /// once the batch before has committed, so this thread prepares the next batch while this one
    /// commits. <paramref name="backlog"/> (records still queued) and <paramref name="dropped"/>
    /// (records the queue refused so far) are recorded with the commit, so a later run can say what a
    /// crash may have cost. The batch's list may be reused once this returns. Throws
    /// <see cref="StoreCommitException"/> when the batch before failed to commit (this one is taken).
    /// </summary>
    public void Append(IReadOnlyList<object> batch, long backlog = 0, long dropped = 0)
    {
        if (_preparer is null || _commits is null)
        {
            throw new InvalidOperationException($"store {Path} is open read-only");
        }
        // A writer that has caught up (a batch smaller than the most it takes) writes the process and flow
        // rows with every batch; a busy one at most once an interval, each row once for all its events.
        DateTime now = DateTime.UtcNow;
        bool summaries = batch.Count < _options!.BatchSize || now >= _nextSummaries;
        PreparedBatch prepared = _preparer.Prepare(batch, backlog, dropped, summaries);
        if (summaries)
        {
            // Writing the rows of a busy node's flows takes seconds: they may take at most a fifth of the
            // writer's time, so under heavy load the interval stretches (as written by the batch before).
            _nextSummaries = now + TimeSpan.FromTicks(Math.Max(SummaryInterval.Ticks, 4 * _writer!.SummariesTook.Ticks));
        }
        _commits.Hand(prepared);
    }

    /// <summary>Waits until every batch appended has committed; throws <see cref="StoreCommitException"/> when the last one failed.</summary>
    public void Flush() => (_commits ?? throw new InvalidOperationException($"store {Path} is open read-only")).Flush();

    /// <summary>On the commit thread: one batch, with what earlier failed batches left, then the budgets.</summary>
    private void CommitPrepared(PreparedBatch batch)
    {
        try
        {
            WithRoom(() => Commit(batch, stop: false));
        }
        catch (Exception ex)
        {
            if (_leftovers.Count == MaxLeftovers)
            {
                _leftovers.RemoveAt(0);
            }
            _leftovers.Add(batch.Leftovers());
            throw new StoreCommitException($"store {Path}: {batch.Records} records not written: {ex.Message}", batch.Records, ex);
        }
        _leftovers.Clear();
        try
        {
            KeepBudgets();
        }
        catch (Exception ex) when (ex is SqliteException or IOException)
        {
            throw new StoreCommitException($"store {Path}: retention failed after a commit: {ex.Message}", 0, ex);
        }
    }

    private void KeepBudgets()
    {
        DateTime now = DateTime.UtcNow;
        long deleted = _retention!.Deleted;
        if (now >= _nextAgeCheck)
        {
            _retention.DeleteOlderThan(now - _options!.Retention);
            _nextAgeCheck = now + AgeCheckInterval;
        }
        _retention.EnforceSize();
        if (_retention.Deleted != deleted)
        {
            _preparer!.ForgetKeys();
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
                _preparer!.ForgetKeys();
                commit();
            }
        }
        catch
        {
            // Rolled back: the event ids the writer gave are not taken.
            _writer!.Reset();
            throw;
        }
    }

    /// <summary>One transaction: what failed batches left, the batch, and the run's bookkeeping (its clean stop with <paramref name="stop"/>).</summary>
    private void Commit(PreparedBatch batch, bool stop)
    {
        _checkpointer!.RestartIfLong(_connection);
        using SqliteTransaction tx = _connection.BeginTransaction();
        foreach (PreparedBatch left in _leftovers)
        {
            _writer!.Write(left);
        }
        _writer!.Write(batch);
        using (SqliteCommand run = _connection.CreateCommand())
        {
            run.Transaction = tx;
            // The clean stop keeps the queue's counts of the last batch.
            run.CommandText = stop
                ? "UPDATE runs SET written = written + $n, last_commit = $t, stopped = $t, clean = 1 WHERE id = $id"
                : "UPDATE runs SET written = written + $n, dropped = $dropped, backlog = $backlog, last_commit = $t WHERE id = $id";
            run.Parameters.AddWithValue("$n", batch.Records);
            run.Parameters.AddWithValue("$dropped", batch.Dropped);
            run.Parameters.AddWithValue("$backlog", batch.Backlog);
            run.Parameters.AddWithValue("$t", StoreTime.ToMicros(DateTime.UtcNow));
            run.Parameters.AddWithValue("$id", _runId);
            run.ExecuteNonQuery();
        }
        tx.Commit();
        _checkpointer.Request();
        Interlocked.Add(ref _written, batch.Records);
    }

    /// <summary>Marks runs that never closed as ended uncleanly at their last commit; returns the latest of them.</summary>
    private StoreRun? CloseUncleanRuns()
    {
        StoreRun? latest = Runs().LastOrDefault(r => r.Stopped is null);
        StoreSchema.Execute(_connection, "UPDATE runs SET stopped = coalesce(last_commit, started), clean = 0 WHERE stopped IS NULL");
        return latest is null ? null : latest with { Stopped = latest.LastCommit ?? latest.Started };
    }

    private long Insert(string sql, long value)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$t", value);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// A writer waits for the batch committing, then writes the process and flow rows still folded and
    /// records a clean stop; the last connection to close folds the WAL into the file.
    /// </summary>
    public void Dispose()
    {
        try
        {
            if (_commits is not null)
            {
                _commits.Dispose();
                PreparedBatch last = _preparer!.Prepare([], 0, 0, summaries: true);
                WithRoom(() => Commit(last, stop: true));
            }
        }
        finally
        {
            _checkpointer?.Dispose();
            _preparer?.Dispose();
            _writer?.Dispose();
            _connection.Dispose();
            _writerLock?.Dispose();
        }
    }
}
