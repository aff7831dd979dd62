namespace Vigil.Agent.Output;

/// <summary>The JSON lines file sink: where it writes, what it takes, when it rotates and how many rotated files it keeps.</summary>
public sealed record JsonLinesFileOptions
{
    /// <summary>The file being written; rotated files are gzip-compressed beside it.</summary>
    public required string Path { get; init; }

    /// <summary>A file is rotated before a record would take it past this size.</summary>
    public long MaxBytes { get; init; } = 100L << 20;

    /// <summary>A file is rotated once it has been written for this long (checked as records arrive).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Rotated (compressed) files kept; the oldest beyond this are deleted.</summary>
    public int Keep { get; init; } = 10;

    /// <summary>Events too, not only detections and incidents.</summary>
    public bool Events { get; init; }

    /// <summary>Records waiting for the file before new ones are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 16384;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("--jsonl: the path is empty");
        }
        if (Directory.Exists(Path))
        {
            throw new ArgumentException($"--jsonl: {Path} is a directory, not a file");
        }
        if (MaxBytes < 4096)
        {
            throw new ArgumentException($"--jsonl-max-size: {MaxBytes} bytes is below the minimum of 4096 bytes");
        }
        if (MaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException("--jsonl-max-age: must be positive");
        }
        if (Keep < 1)
        {
            throw new ArgumentException("--jsonl-keep: must be at least 1");
        }
        if (QueueCapacity < 1)
        {
            throw new ArgumentException("--jsonl-queue: must be at least 1");
        }
    }
}
