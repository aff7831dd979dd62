using Vigil.Agent.Pipeline;
using Vigil.Storage;

namespace Vigil.Agent.Output;

/// <summary>
/// The edge store as a sink: records queue here and are written a batch per transaction, prepared on
/// the drain thread (never on the kernel reader's) while the store's commit thread commits the batch
/// before. Each commit records what was still queued, so after a kill -9 the next run can say how
/// much the crash may have cost.
/// </summary>
public sealed class StoreSink : ConclusionQueue
{
    public StoreSink(EdgeStore store, StoreOptions options)
        : base("store", options.QueueCapacity, options.BatchSize)
    {
        Store = store;
        MaxBytes = options.MaxBytes;
        StartDraining();
    }

    public EdgeStore Store { get; }

    /// <summary>The store file's size budget.</summary>
    public long MaxBytes { get; }

    protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        try
        {
            Store.Append(batch, Depth, Dropped + Failed);
        }
        catch (StoreCommitException ex)
        {
            // A failing disk must not stop the drain: count what an earlier batch lost and keep going.
            CountFailed(ex.Records);
        }
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        try
        {
            Store.Flush();
        }
        catch (StoreCommitException ex)
        {
            CountFailed(ex.Records);
        }
        Store.Dispose();
    }
}
