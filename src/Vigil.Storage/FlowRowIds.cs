namespace Vigil.Storage;

/// <summary>
/// Where the writer last put each flow's row (its rowid), kept on the commit thread. Rewriting a busy
/// node's flows by rowid, in rowid order, goes through the table's pages front to back, where an
/// upsert per flow in the order flows were seen looks each up in the unique index and then touches
/// the table's pages at random (<c>bench/run store</c>: 173,000 events/s without, 209,000-227,000 with).
/// Flows are known by their hash code, about 40 bytes each: a rowid may be another flow's (two flows with
/// one hash code) or stale (a rolled-back insert, retention), so the update checks the flow's
/// identity, matches nothing, and the flow is upserted again. Past <see cref="Capacity"/> flows,
/// those the last two writes did not write are forgotten.
/// </summary>
internal sealed class FlowRowIds
{
    /// <summary>About 40 MiB of rowids: every flow of a node with a thousand processes talking to a thousand peers each.</summary>
    public const int Capacity = 1 << 20;

    private readonly Dictionary<int, (long RowId, long Write)> _rows = [];
    private long _write;

    public int Count => _rows.Count;

    public bool TryGet(FlowKey key, out long rowId)
    {
        bool found = _rows.TryGetValue(key.GetHashCode(), out var row);
        rowId = row.RowId;
        return found;
    }

    /// <summary>The flow's row was written (inserted or updated) at <paramref name="rowId"/> by the current write.</summary>
    public void Written(FlowKey key, long rowId) => _rows[key.GetHashCode()] = (rowId, _write);

    /// <summary>After a write: starts the next, forgetting, past the capacity, the flows the last two did not write.</summary>
    public void EndWrite()
    {
        if (_rows.Count > Capacity)
        {
            foreach ((int hash, var row) in _rows)
            {
                if (row.Write < _write - 1)
                {
                    _rows.Remove(hash);
                }
            }
        }
        _write++;
    }
}
