namespace Vigil.Storage;

/// <summary>
/// Commits prepared batches on a thread of its own, one at a time, while the appending thread
/// prepares the next: the two halves of writing (encoding, and SQLite's b-trees and commit) run side
/// by side. At most one batch commits while one more is prepared, which is what a kill -9 can cost
/// beyond the queue. A failed commit is reported by the next <see cref="Hand"/> or <see cref="Flush"/>.
/// </summary>
internal sealed class CommitThread : IDisposable
{
    private readonly Action<PreparedBatch> _commit;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim _idle = new(1);
    private PreparedBatch? _next;
    private StoreCommitException? _failure;

    public CommitThread(string name, Action<PreparedBatch> commit)
    {
        _commit = commit;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>
    /// Waits until the batch before has committed, then starts committing <paramref name="batch"/>.
    /// Throws <see cref="StoreCommitException"/> when the batch before failed; this one is taken all the same.
    /// </summary>
    public void Hand(PreparedBatch batch)
    {
        _idle.Wait();
        StoreCommitException? failed = Interlocked.Exchange(ref _failure, null);
        _next = batch;
        _work.Release();
        if (failed is not null)
        {
            throw failed;
        }
    }

    /// <summary>Waits until every batch handed over has committed; throws <see cref="StoreCommitException"/> when the last one failed.</summary>
    public void Flush()
    {
        _idle.Wait();
        StoreCommitException? failed = Interlocked.Exchange(ref _failure, null);
        _idle.Release();
        if (failed is not null)
        {
            throw failed;
        }
    }

    private void Run()
    {
        while (true)
        {
            _work.Wait();
            PreparedBatch? batch = Interlocked.Exchange(ref _next, null);
            if (batch is null)
            {
                return;
            }
            try
            {
                _commit(batch);
            }
            catch (StoreCommitException ex)
            {
                _failure = ex;
            }
#pragma warning disable CA1031 // whatever failed, the thread must go on committing later batches
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = new StoreCommitException($"{batch.Records} records not written: {ex.Message}", batch.Records, ex);
            }
            finally
            {
                _idle.Release();
            }
        }
    }

    /// <summary>Waits for the batch committing, then ends the thread; a failure nobody asked for is dropped with it.</summary>
    public void Dispose()
    {
        _idle.Wait();
        _work.Release();
        _thread.Join();
        _work.Dispose();
        _idle.Dispose();
    }
}
