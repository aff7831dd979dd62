using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>
/// Checkpoints the WAL (copies committed pages into the database file, with its fsync) on a thread
/// and connection of its own, so the commit thread does not: the writer's connection never
/// checkpoints by itself (<c>wal_autocheckpoint = 0</c>) and asks for one after each commit. SQLite
/// restarts the WAL from its start only at a transaction that begins when every frame has been
/// copied, which a checkpoint running beside the commits rarely allows; so once the WAL holds
/// <see cref="RestartFrames"/> frames, the commit thread copies the rest itself before its next
/// transaction, and the WAL file stays within about that size.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>16 MiB of 4 KiB pages, the WAL size SQLite is told to keep (<c>journal_size_limit</c>).</summary>
    public const int RestartFrames = 4096;

    private readonly SqliteConnection _connection;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly Lock _checkpointing = new();
    private long _walFrames;
    private volatile bool _stopping;

    /// <param name="connection">A read-write connection of its own to the store's file; the checkpointer disposes it.</param>
    public WalCheckpointer(SqliteConnection connection)
    {
        _connection = connection;
        _thread = new Thread(Run) { IsBackground = true, Name = "vigil store checkpoint" };
        _thread.Start();
    }

    /// <summary>Asks for a checkpoint (a commit just added frames); returns at once.</summary>
    public void Request()
    {
        if (_requested.CurrentCount == 0)
        {
            try
            {
                _requested.Release();
            }
            catch (SemaphoreFullException)
            {
                // Asked already.
            }
        }
    }

    /// <summary>Before a transaction on <paramref name="writer"/>: when the WAL is long, copies what is left of it so this transaction starts it afresh.</summary>
    public void RestartIfLong(SqliteConnection writer)
    {
        if (Volatile.Read(ref _walFrames) < RestartFrames)
        {
            return;
        }
        lock (_checkpointing)
        {
            Checkpoint(writer);
        }
    }

    private void Run()
    {
        while (true)
        {
            _requested.Wait();
            if (_stopping)
            {
                return;
            }
            try
            {
                lock (_checkpointing)
                {
                    Checkpoint(_connection);
                }
            }
            catch (SqliteException)
            {
                // A checkpoint that could not run (a busy or failing disk) leaves the frames for the next one.
            }
        }
    }

    /// <summary>A passive checkpoint: copies every frame no reader still needs, waiting for nobody.</summary>
    private void Checkpoint(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using SqliteDataReader result = command.ExecuteReader();
        if (result.Read())
        {
            // busy, frames in the WAL since it last started afresh, frames copied.
            Volatile.Write(ref _walFrames, result.GetInt64(1));
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Request();
        _thread.Join();
        _requested.Dispose();
        _connection.Dispose();
    }
}
