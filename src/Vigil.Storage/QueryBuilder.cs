using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>A SELECT with optional filters, each a condition with its parameters.</summary>
internal sealed class QueryBuilder(SqliteCommand command, string select)
{
    private readonly List<string> _conditions = [];

    public QueryBuilder Where(string condition, params (string Name, object Value)[] parameters)
    {
        _conditions.Add(condition);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return this;
    }

    /// <summary>A text column equal to <paramref name="prefix"/> or starting with it, as an index range.</summary>
    public QueryBuilder Prefix(string column, string name, string prefix) =>
        // U+10FFFF sorts after every character in SQLite's binary (UTF-8) order.
        Where($"{column} >= ${name}_lo AND {column} < ${name}_hi", ($"${name}_lo", prefix), ($"${name}_hi", prefix + "\U0010FFFF"));

    public SqliteCommand Build(string tail, int limit)
    {
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText = select + (_conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions)) + " " + tail + " LIMIT $limit";
        return command;
    }
}
