namespace Vigil.Storage.Records;

/// <summary>
/// One run of the writer: how much it wrote and dropped, and, at its last commit, how many records
/// were still queued. A run that was not closed (kill -9, power loss) lost at most those records
/// and the ones accepted after that commit.
/// </summary>
public sealed record StoreRun(long Id, DateTime Started, DateTime? Stopped, bool Clean, DateTime? LastCommit, long Written, long Dropped, long Backlog);
