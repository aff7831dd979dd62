using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>
/// Keeps the store inside its budgets. By age: records older than the retention are deleted. By
/// size: when the pages in use pass 90% of the budget, the oldest events (and whatever else is
/// older than the oldest event left) are deleted until 75% is in use; the freed pages are reused
/// by later inserts, so the file stops growing. As a hard stop the writer's connection may not
/// grow the file past the budget at all (<c>PRAGMA max_page_count</c>): a batch that would is
/// rolled back, the oldest records are pruned, and the batch is written again.
/// </summary>
internal sealed class Retention(SqliteConnection connection, StoreOptions options)
{
    private const double HighWater = 0.90;
    private const double LowWater = 0.75;

    /// <summary>Records deleted for age or size so far.</summary>
    public long Deleted { get; private set; }

    public long PageSize { get; } = (long)StoreSchema.Scalar(connection, "PRAGMA page_size")!;

    /// <summary>Bytes of the database file (in use and free pages; the WAL is bounded separately).</summary>
    public long FileBytes => (long)StoreSchema.Scalar(connection, "PRAGMA page_count")! * PageSize;

    /// <summary>Bytes of pages holding data.</summary>
    public long UsedBytes => FileBytes - ((long)StoreSchema.Scalar(connection, "PRAGMA freelist_count")! * PageSize);

    /// <summary>The hard cap: SQLite refuses to grow the file past the budget on this connection.</summary>
    public void CapFile() => StoreSchema.Execute(connection, $"PRAGMA max_page_count = {options.MaxBytes / PageSize}");

    public void DeleteOlderThan(DateTime cutoff)
    {
        long micros = StoreTime.ToMicros(cutoff);
        using SqliteTransaction tx = connection.BeginTransaction();
        // A block goes when its newest event is older than the cutoff.
        Deleted += DeleteBlocks(tx, "DELETE FROM event_blocks WHERE last_time < $t RETURNING count", micros)
            + DeleteRelated(tx, micros);
        tx.Commit();
    }

    /// <summary>Prunes the oldest records while the pages in use are above the high-water mark.</summary>
    public void EnforceSize(bool force = false)
    {
        if (!force && UsedBytes <= options.MaxBytes * HighWater)
        {
            return;
        }
        long target = (long)(options.MaxBytes * LowWater);
        while (UsedBytes > target)
        {
            // Block ids only grow and only the oldest are deleted, so min..max counts them without a scan.
            long? first = Scalar("SELECT min(id) FROM event_blocks");
            if (first is null)
            {
                PruneOldestOther();
                break;
            }
            long span = Scalar("SELECT max(id) FROM event_blocks")!.Value - first.Value + 1;
            // Delete the share of blocks that should free the excess, at least a tenth of them.
            double share = Math.Max(0.1, 1.0 - ((double)target / UsedBytes));
            using SqliteTransaction tx = connection.BeginTransaction();
            Deleted += DeleteBlocks(tx, "DELETE FROM event_blocks WHERE id < $t RETURNING count", first.Value + Math.Max(1, (long)(span * share)));
            Deleted += DeleteRelated(tx, Scalar("SELECT min(first_time) FROM event_blocks", tx) ?? long.MaxValue);
            tx.Commit();
        }
        if (FileBytes > options.MaxBytes)
        {
            // Only after the budget shrank between runs: give the free pages back to the file system.
            StoreSchema.Execute(connection, "PRAGMA incremental_vacuum");
        }
    }

    /// <summary>No events left, yet still above the mark: drop the older half of everything else by time.</summary>
    private void PruneOldestOther()
    {
        using SqliteTransaction tx = connection.BeginTransaction();
        long oldest = Scalar("SELECT min(t) FROM (SELECT min(time) AS t FROM detections UNION ALL SELECT min(last_seen) FROM incidents UNION ALL SELECT min(last_seen) FROM flows UNION ALL SELECT min(start) FROM processes)", tx) ?? 0;
        long newest = Scalar("SELECT max(t) FROM (SELECT max(time) AS t FROM detections UNION ALL SELECT max(last_seen) FROM incidents UNION ALL SELECT max(last_seen) FROM flows UNION ALL SELECT max(start) FROM processes)", tx) ?? 0;
        long middle = oldest + ((newest - oldest) / 2) + 1;
        Deleted += DeleteRelated(tx, middle) + Delete(tx, "DELETE FROM processes WHERE start < $t", middle);
        tx.Commit();
    }

    /// <summary>
    /// Detections, closed-out incidents, flows and exited processes older than <paramref name="micros"/>,
    /// and event keys no block left can hold (a key's time may lag its newest event by the refresh interval).
    /// </summary>
    private long DeleteRelated(SqliteTransaction tx, long micros)
    {
        Delete(tx, "DELETE FROM event_keys WHERE last_time < $t", micros == long.MaxValue ? micros : micros - EventBlocks.KeyRefreshMicros);
        return Delete(tx, "DELETE FROM detections WHERE time < $t", micros)
            + Delete(tx, "DELETE FROM incidents WHERE last_seen < $t", micros)
            + Delete(tx, "DELETE FROM flows WHERE last_seen < $t", micros)
            + Delete(tx, "DELETE FROM processes WHERE exit < $t", micros);
    }

    /// <summary>Deletes blocks; returns the events they held.</summary>
    private long DeleteBlocks(SqliteTransaction tx, string sql, long value)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.Parameters.AddWithValue("$t", value);
        long events = 0;
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            events += reader.GetInt64(0);
        }
        return events;
    }

    private long Delete(SqliteTransaction tx, string sql, long value)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.Parameters.AddWithValue("$t", value);
        return command.ExecuteNonQuery();
    }

    private long? Scalar(string sql, SqliteTransaction? tx = null) => StoreSchema.Scalar(connection, sql, tx) is long value ? value : null;
}
