using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>A command compiled once and run many times with new parameter values.</summary>
internal sealed class Statement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    /// <param name="parameters">Names used in <paramref name="sql"/> as <c>$name</c>, in the order <see cref="Run"/> takes values.</param>
    public Statement(SqliteConnection connection, string sql, params string[] parameters)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = [.. parameters.Select(p => _command.Parameters.Add(new SqliteParameter("$" + p, null)))];
    }

    public int Run(SqliteTransaction tx, params ReadOnlySpan<object?> values)
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }
        _command.Transaction = tx;
        return _command.ExecuteNonQuery();
    }

    public void Dispose() => _command.Dispose();
}
