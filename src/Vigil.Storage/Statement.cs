using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Vigil.Storage;

/// <summary>
/// A statement compiled once and run many times with new parameter values, inside the transaction
/// open on its connection. It runs on SQLitePCLRaw, the layer under Microsoft.Data.Sqlite, binding
/// by position: a <see cref="SqliteCommand"/> looks every parameter up by name and opens a data
/// reader on each run: with libc's string compares, up to a third of the commit thread's time (perf).
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _positions;

    /// <param name="parameters">Names used in <paramref name="sql"/> as <c>$name</c>, in the order <see cref="Run"/> takes values.</param>
    public Statement(SqliteConnection connection, string sql, params string[] parameters)
    {
        _db = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _positions = [.. parameters.Select(p => raw.sqlite3_bind_parameter_index(_statement, "$" + p) is > 0 and int i
            ? i : throw new ArgumentException($"no parameter ${p} in {sql}", nameof(parameters)))];
    }

    /// <summary>Runs the statement; the number of rows it changed.</summary>
    public int Run(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        Step();
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Runs the statement; the first column of its first result row (a <c>RETURNING</c> clause's), as an integer.</summary>
    public long Scalar(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        try
        {
            int rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                throw new InvalidOperationException($"no row came back from {raw.sqlite3_sql(_statement).utf8_to_string()}");
            }
            if (rc != raw.SQLITE_ROW)
            {
                Check(rc);
            }
            return raw.sqlite3_column_int64(_statement, 0);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Bind(ReadOnlySpan<object?> values)
    {
        for (int i = 0; i < _positions.Length; i++)
        {
            int at = _positions[i];
            Check(values[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, at),
                string s => raw.sqlite3_bind_text(_statement, at, s),
                long n => raw.sqlite3_bind_int64(_statement, at, n),
                int n => raw.sqlite3_bind_int64(_statement, at, n),
                uint n => raw.sqlite3_bind_int64(_statement, at, n),
                ushort n => raw.sqlite3_bind_int64(_statement, at, n),
                bool b => raw.sqlite3_bind_int64(_statement, at, b ? 1 : 0),
                double d => raw.sqlite3_bind_double(_statement, at, d),
                byte[] blob => raw.sqlite3_bind_blob(_statement, at, blob),
                object other => throw new ArgumentException($"cannot store a {other.GetType().Name}", nameof(values)),
            });
        }
    }

    private void Step()
    {
        int rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
    }

    /// <summary>Throws what Microsoft.Data.Sqlite would for a failed call, so callers handle one kind of error (a full file among them).</summary>
    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
        }
    }

    public void Dispose() => _statement.Dispose();
}
