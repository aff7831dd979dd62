namespace Vigil.Storage;

/// <summary>
/// A batch made ready on the appending thread: events grouped into encoded blocks, the event keys due,
/// detections and incidents rendered, and (when due) the folded process and flow rows. What is left
/// for the commit thread is running statements.
/// </summary>
internal sealed class PreparedBatch
{
    /// <summary>Records of the batch the store keeps (events, detections, incident revisions).</summary>
    public int Records { get; set; }

    /// <summary>Records still queued behind the batch when it was appended.</summary>
    public long Backlog { get; init; }

    /// <summary>Records the queue had refused when the batch was appended.</summary>
    public long Dropped { get; init; }

    public List<EncodedBlock> Blocks { get; } = [];

    public List<EventKeyRow> Keys { get; } = [];

    /// <summary>Parameter values of the detection insert, one array per detection.</summary>
    public List<object?[]> Detections { get; } = [];

    /// <summary>Parameter values of the incident upsert, one array per revision.</summary>
    public List<object?[]> Incidents { get; } = [];

    /// <summary>Process rows folded since the last batch that carried them; null when this batch carries none.</summary>
    public PendingProcesses? Processes { get; set; }

    /// <summary>Flow rows folded since the last batch that carried them; null when this batch carries none.</summary>
    public PendingFlows? Flows { get; set; }

    /// <summary>
    /// What of a batch that failed to commit must still be written with a later one: its event keys
    /// (later batches took them as written) and its folded rows (upserts that later ones add to).
    /// </summary>
    public PreparedBatch Leftovers()
    {
        var left = new PreparedBatch { Processes = Processes, Flows = Flows };
        left.Keys.AddRange(Keys);
        return left;
    }
}

/// <summary>One <c>event_blocks</c> row, compressed; its ids are given when it is written.</summary>
internal sealed record EncodedBlock(string Name, int Count, long Types, long FirstTime, long LastTime, byte[] Data);

/// <summary>One <c>event_keys</c> row: events of <see cref="Key"/> had process name <see cref="Name"/>, the newest at <see cref="Time"/>.</summary>
internal readonly record struct EventKeyRow(EventKey Kind, string Key, string Name, long Time);
