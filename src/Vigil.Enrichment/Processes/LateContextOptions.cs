namespace Vigil.Enrichment.Processes;

/// <summary>How long, and how many, events may wait for their process to become known.</summary>
public sealed record LateContextOptions
{
    /// <summary>Longest an event waits for its process's exec or fork record; zero disables waiting.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Events waiting at most; beyond it an event goes on at once without context (counted).</summary>
    public int Capacity { get; init; } = 8192;
}
