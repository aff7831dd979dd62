using System.CommandLine;
using Vigil.Storage;

namespace Vigil.Agent.Commands;

/// <summary>The edge store's options of <c>vigil run</c>, and <c>--store</c> for the commands that query it.</summary>
internal static class StoreArguments
{
    public static Option<string> Path(string description) => new("--store")
    {
        Description = description,
        DefaultValueFactory = _ => StoreOptions.DefaultPath,
    };

    public static Option<TimeSpan?> Retention() => new("--store-retention")
    {
        Description = "Delete stored records older than this (90m, 12h, 7d)",
        CustomParser = Durations.Parse,
    };

    public static Option<long?> MaxSize() => new("--store-max-size")
    {
        Description = "The store file never grows past this size; the oldest records go first (512M, 2G)",
        CustomParser = Sizes.Parse,
    };

    public static Option<int?> Queue() => new("--store-queue")
    {
        Description = "Records waiting for the store before new ones are dropped and counted; with two batches (one committing, one being prepared), what a kill -9 can lose",
    };

    public static Option<int?> Batch() => new("--store-batch")
    {
        Description = "Most records per store transaction",
    };

    /// <summary>The store settings given on the command line over the defaults; null for <c>--store none</c>.</summary>
    public static StoreOptions? Bind(string path, TimeSpan? retention, long? maxSize, int? queue, int? batch)
    {
        if (path == "none")
        {
            return null;
        }
        var defaults = new StoreOptions();
        return new StoreOptions
        {
            Path = path,
            Retention = retention ?? defaults.Retention,
            MaxBytes = maxSize ?? defaults.MaxBytes,
            QueueCapacity = queue ?? defaults.QueueCapacity,
            BatchSize = batch ?? defaults.BatchSize,
        };
    }
}
