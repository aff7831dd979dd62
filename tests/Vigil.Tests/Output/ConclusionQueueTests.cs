using Vigil.Agent.Pipeline;
using Vigil.Events;
using Vigil.Tests.Support;

namespace Vigil.Tests.Output;

/// <summary>The drain every sink shares: a destination that throws costs the records of that batch, counted, and the sink goes on.</summary>
public sealed class ConclusionQueueTests
{
    private readonly SyntheticEvents _events = new();

    [Fact]
    public async Task A_batch_that_throws_is_counted_as_failed_and_later_records_are_still_written()
    {
        var sink = new ThrowingOnceSink();
        ProcessInfo p = _events.Process("/usr/bin/writer");
        sink.Event(_events.File(p, "/var/tmp/lost", FileIntent.Write));
        Assert.True(sink.FirstBatchTaken.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the first batch never reached the sink");
        sink.Event(_events.File(p, "/var/tmp/kept", FileIntent.Write));
        await sink.DisposeAsync();

        Assert.Equal(1, sink.Failed);
        Assert.Equal(["/var/tmp/kept"], sink.Written.Select(e => ((FileEvent)e).Path));
    }

    private sealed class ThrowingOnceSink : ConclusionQueue
    {
        public ThrowingOnceSink()
            : base("throwing-once", 16) => StartDraining();

        public ManualResetEventSlim FirstBatchTaken { get; } = new();

        public List<object> Written { get; } = [];

        protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
        {
            if (!FirstBatchTaken.IsSet)
            {
                FirstBatchTaken.Set();
                throw new IOException("destination refused the batch");
            }
            Written.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }
}
