using Microsoft.Data.Sqlite;
using Vigil.Storage.Records;
using ZstdSharp;

namespace Vigil.Storage;

/// <summary>
/// Event queries over packed blocks: the blocks that may hold matches, newest first (by process
/// name when the query names one, or an exec id, pid or container that <c>event_keys</c> maps to
/// names; by time and type bits otherwise), unpacked one at a time until the newest
/// <see cref="EventQuery.Limit"/> matches are certain: no block left ends after the oldest of them.
/// </summary>
public sealed partial class EdgeStore
{
    private static readonly string[] EventFamilies = ["process", "file", "network", "privilege", "xdp"];

    /// <summary>Beyond this many process names, a query reads blocks by time and checks the names itself.</summary>
    private const int MaxMergedNames = 64;

    /// <summary>The newest events matching the query, returned oldest first.</summary>
    public IReadOnlyList<StoredEvent> Events(EventQuery q)
    {
        if (q.Limit <= 0)
        {
            return [];
        }
        List<string>? names = NamesOf(q);
        if (names is { Count: 0 })
        {
            return [];
        }
        Func<long, uint, string, string, string?, bool> match = Matcher(q);
        // The newest matches so far, the oldest of them on top.
        var newest = new PriorityQueue<StoredEvent, (long Time, long Id)>();
        using SqliteCommand read = _connection.CreateCommand();
        read.CommandText = "SELECT first_id, count, name, data FROM event_blocks WHERE id = $id";
        SqliteParameter id = read.Parameters.Add(new SqliteParameter("$id", 0L));
        using var decompressor = new Decompressor();
        foreach ((long block, long lastTime) in Candidates(q, names is { Count: <= MaxMergedNames } ? names : null))
        {
            if (newest.Count >= q.Limit && lastTime < StoreTime.ToMicros(newest.Peek().Time))
            {
                break;
            }
            id.Value = block;
            // Events older than the oldest of Limit matches already found cannot make the answer: not unpacked.
            long floor = newest.Count >= q.Limit ? StoreTime.ToMicros(newest.Peek().Time) : long.MinValue;
            foreach (StoredEvent e in ReadBlock(read, block, decompressor, (time, pid, type, execId, container) => time >= floor && match(time, pid, type, execId, container)))
            {
                newest.Enqueue(e, (StoreTime.ToMicros(e.Time), e.Id));
                if (newest.Count > q.Limit)
                {
                    newest.Dequeue();
                }
            }
        }
        var events = new List<StoredEvent>(newest.Count);
        while (newest.Count > 0)
        {
            events.Add(newest.Dequeue());
        }
        return events;
    }

    /// <summary>The process names whose blocks can hold matches: null for any, empty for none.</summary>
    private List<string>? NamesOf(EventQuery q)
    {
        List<string>? names = q.ProcessName is { Length: > 0 } name ? [name] : null;
        names = Intersect(names, q.ExecId is { Length: > 0 } execId ? KeyNames(EventKey.Exec, execId, prefix: false) : null);
        names = Intersect(names, q.Pid is { } pid ? KeyNames(EventKey.Pid, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), prefix: false) : null);
        return Intersect(names, q.Container is { Length: > 0 } container ? KeyNames(EventKey.Container, container, prefix: true) : null);
    }

    private static List<string>? Intersect(List<string>? a, List<string>? b) => a is null ? b : b is null ? a : [.. a.Intersect(b, StringComparer.Ordinal)];

    private List<string> KeyNames(EventKey kind, string key, bool prefix)
    {
        using SqliteCommand command = _connection.CreateCommand();
        var query = new QueryBuilder(command, "SELECT DISTINCT name FROM event_keys").Where("kind = $kind", ("$kind", (int)kind));
        if (prefix)
        {
            query.Prefix("key", "key", key);
        }
        else
        {
            query.Where("key = $key", ("$key", key));
        }
        return Read(query.Build("", -1), r => r.GetString(0));
    }

    /// <summary>Blocks that may hold matches, newest end first: one index walk, or one per process name merged.</summary>
    private IEnumerable<(long Id, long LastTime)> Candidates(EventQuery q, List<string>? names)
    {
        var walks = new List<(SqliteCommand Command, SqliteDataReader Reader)>();
        try
        {
            IEnumerable<string?> each = names is null ? new string?[] { null } : names;
            foreach (string? name in each)
            {
                SqliteCommand command = _connection.CreateCommand();
                var query = new QueryBuilder(command, "SELECT id, last_time FROM event_blocks");
                if (name is not null)
                {
                    query.Where("name = $name", ("$name", name));
                }
                if (q.Since is { } since)
                {
                    query.Where("last_time >= $since", ("$since", StoreTime.ToMicros(since)));
                }
                if (q.Until is { } until)
                {
                    query.Where("first_time < $until", ("$until", StoreTime.ToMicros(until)));
                }
                if (q.Type is { Length: > 0 } type)
                {
                    query.Where("types & $types != 0", ("$types", TypeBits.Query(type)));
                }
                walks.Add((command, Execute(query.Build("ORDER BY last_time DESC, id DESC", -1))));
            }
            var next = new PriorityQueue<SqliteDataReader, (long, long)>(Comparer<(long, long)>.Create((a, b) => b.CompareTo(a)));
            foreach ((_, SqliteDataReader reader) in walks)
            {
                if (reader.Read())
                {
                    next.Enqueue(reader, (reader.GetInt64(1), reader.GetInt64(0)));
                }
            }
            while (next.TryDequeue(out SqliteDataReader? reader, out (long LastTime, long Id) top))
            {
                yield return (top.Id, top.LastTime);
                if (reader.Read())
                {
                    next.Enqueue(reader, (reader.GetInt64(1), reader.GetInt64(0)));
                }
            }
        }
        finally
        {
            foreach ((SqliteCommand command, SqliteDataReader reader) in walks)
            {
                reader.Dispose();
                command.Dispose();
            }
        }
    }

    private SqliteDataReader Execute(SqliteCommand command)
    {
        try
        {
            return command.ExecuteReader();
        }
        catch (SqliteException ex)
        {
            throw new StoreException($"store {Path}: {ex.Message}", ex);
        }
    }

    private List<StoredEvent> ReadBlock(SqliteCommand read, long block, Decompressor decompressor, Func<long, uint, string, string, string?, bool> match)
    {
        using SqliteDataReader row = Execute(read);
        if (!row.Read())
        {
            return []; // deleted by retention since the walk saw it
        }
        try
        {
            using var raw = new MemoryStream(decompressor.Unwrap(row.GetFieldValue<byte[]>(3)).ToArray());
            return [.. EventBlock.Read(raw, row.GetInt64(0), row.GetInt32(1), row.GetString(2), match)];
        }
        catch (Exception ex) when (ex is ZstdException or EndOfStreamException or IOException or InvalidCastException)
        {
            throw new StoreException($"corrupt record: event_blocks row {block} cannot be unpacked ({ex.Message})", ex);
        }
    }

    /// <summary>The query's filters on one event (time, pid, type, exec id, container); the process name is the block's.</summary>
    private static Func<long, uint, string, string, string?, bool> Matcher(EventQuery q)
    {
        long since = q.Since is { } s ? StoreTime.ToMicros(s) : long.MinValue;
        long until = q.Until is { } u ? StoreTime.ToMicros(u) : long.MaxValue;
        Func<string, bool> type = q.Type switch
        {
            null or "" => _ => true,
            string t when t.Contains('.', StringComparison.Ordinal) => name => name == t,
            string t when EventFamilies.Contains(t) => name => name.StartsWith(t + ".", StringComparison.Ordinal),
            string t => name => name.EndsWith("." + t, StringComparison.Ordinal),
        };
        return (time, pid, name, execId, container) =>
            time >= since && time < until && type(name)
            && (q.Pid is not { } p || pid == p)
            && (q.ExecId is not { Length: > 0 } e || execId == e)
            && (q.Container is not { Length: > 0 } c || (container is not null && container.StartsWith(c, StringComparison.Ordinal)));
    }
}
