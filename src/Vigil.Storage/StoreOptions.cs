namespace Vigil.Storage;

/// <summary>Where the edge store lives and how much it may keep.</summary>
public sealed record StoreOptions
{
    public const string DefaultPath = "/var/lib/vigil/vigil.db";

    /// <summary>The smallest size budget accepted: room for a few batches above the pruning mark.</summary>
    public const long MinimumMaxBytes = 8L << 20;

    public string Path { get; init; } = DefaultPath;

    /// <summary>Records older than this are deleted.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The database file never grows past this many bytes; the oldest records go first.</summary>
    public long MaxBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Records waiting to be written. With two batches (one committing, one being prepared), this
    /// bounds what a kill -9 can lose; records that do not fit are dropped and counted.
    /// </summary>
    public int QueueCapacity { get; init; } = 16384;

    /// <summary>Most records written in one transaction.</summary>
    public int BatchSize { get; init; } = 8192;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("--store: the path is empty");
        }
        if (MaxBytes < MinimumMaxBytes)
        {
            throw new ArgumentException($"--store-max-size: {MaxBytes} bytes is below the minimum of {MinimumMaxBytes} bytes (8 MiB)");
        }
        if (Retention <= TimeSpan.Zero)
        {
            throw new ArgumentException("--store-retention: must be positive");
        }
        if (QueueCapacity < 1)
        {
            throw new ArgumentException("--store-queue: must be at least 1");
        }
        if (BatchSize < 1)
        {
            throw new ArgumentException("--store-batch: must be at least 1");
        }
    }
}
