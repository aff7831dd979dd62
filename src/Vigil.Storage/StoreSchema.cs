using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>
/// The tables and indexes. Every record keeps its full JSON (docs/events.md attribute names) next to
/// the columns queries filter on; times are microseconds since the epoch (<see cref="StoreTime"/>).
/// Events are packed: up to <see cref="EventBlocks.MaxEvents"/> events of one process name and one
/// batch per row of <c>event_blocks</c>, compressed, with the time range and a bit set of their
/// types beside them; <c>event_keys</c> says which process names had events of an exec id, a pid or
/// a container, so queries on those read only the blocks of those names.
/// </summary>
internal static class StoreSchema
{
    /// <summary>Bumped when the layout changes; a file of another version is refused with a clear error.</summary>
    public const int Version = 3;

    private const string Tables = """
        CREATE TABLE IF NOT EXISTS event_blocks (
            id INTEGER PRIMARY KEY,
            first_id INTEGER NOT NULL,
            count INTEGER NOT NULL,
            name TEXT NOT NULL,
            types INTEGER NOT NULL,
            first_time INTEGER NOT NULL,
            last_time INTEGER NOT NULL,
            data BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS event_blocks_time ON event_blocks (last_time);
        CREATE INDEX IF NOT EXISTS event_blocks_name ON event_blocks (name, last_time);

        CREATE TABLE IF NOT EXISTS event_keys (
            kind INTEGER NOT NULL,
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            last_time INTEGER NOT NULL,
            PRIMARY KEY (kind, key, name)) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS detections (
            id INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            rule TEXT NOT NULL,
            priority INTEGER NOT NULL,
            pid INTEGER NOT NULL,
            exec_id TEXT NOT NULL,
            name TEXT NOT NULL,
            container TEXT,
            json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS detections_time ON detections (time);
        CREATE INDEX IF NOT EXISTS detections_exec ON detections (exec_id);

        CREATE TABLE IF NOT EXISTS incidents (
            id TEXT PRIMARY KEY,
            revision INTEGER NOT NULL,
            status TEXT NOT NULL,
            title TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            confidence REAL NOT NULL,
            json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS incidents_last_seen ON incidents (last_seen);

        CREATE TABLE IF NOT EXISTS processes (
            exec_id TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            parent_exec_id TEXT NOT NULL,
            ppid INTEGER NOT NULL,
            name TEXT NOT NULL,
            binary TEXT NOT NULL,
            command_line TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            container TEXT,
            start INTEGER NOT NULL,
            exit INTEGER,
            exit_code INTEGER);
        CREATE INDEX IF NOT EXISTS processes_exit ON processes (exit);

        CREATE TABLE IF NOT EXISTS flows (
            id INTEGER PRIMARY KEY,
            exec_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            name TEXT NOT NULL,
            container TEXT,
            transport TEXT NOT NULL,
            direction TEXT NOT NULL,
            remote_address TEXT NOT NULL,
            remote_port INTEGER NOT NULL,
            connections INTEGER NOT NULL,
            bytes_sent INTEGER NOT NULL,
            bytes_received INTEGER NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            UNIQUE (exec_id, transport, direction, remote_address, remote_port));
        CREATE INDEX IF NOT EXISTS flows_last_seen ON flows (last_seen);
        CREATE INDEX IF NOT EXISTS flows_bytes ON flows (bytes_sent + bytes_received);

        CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY,
            started INTEGER NOT NULL,
            stopped INTEGER,
            clean INTEGER NOT NULL DEFAULT 0,
            last_commit INTEGER,
            written INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0,
            backlog INTEGER NOT NULL DEFAULT 0);
        """;

    /// <summary>Creates what is missing. Incremental auto-vacuum must be chosen before the first table exists.</summary>
    public static void Create(SqliteConnection connection)
    {
        Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL;");
        using SqliteTransaction tx = connection.BeginTransaction();
        Execute(connection, Tables, tx);
        int version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version", tx), System.Globalization.CultureInfo.InvariantCulture);
        if (version == 0)
        {
            Execute(connection, $"PRAGMA user_version = {Version}", tx);
        }
        tx.Commit();
    }

    /// <summary>Refuses a file this version cannot read.</summary>
    public static void Check(SqliteConnection connection, string path)
    {
        long version = (long)Scalar(connection, "PRAGMA user_version")!;
        if (version != Version)
        {
            throw new StoreException($"store {path}: schema version {version}, this vigil reads version {Version}" +
                (version == 0 ? " (is it a vigil store?)" : ""));
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command.ExecuteScalar();
    }
}
