using System.Text.Json;
using Vigil.Storage;
using Vigil.Storage.Records;
using Vigil.Tests.Support;

namespace Vigil.Tests.Storage;

/// <summary>A real agent killed with SIGKILL while it writes the store as fast as processes start.</summary>
public sealed class StoreCrashTests
{
    private const int Queue = 1000;
    private const int Batch = 100;

    [Fact]
    public void Kill_9_during_heavy_writes_loses_at_most_the_unflushed_records_and_the_store_opens_and_says_so()
    {
        KernelRequirement.Check();
        using var file = new TempStore();
        string marker = Children.Marker();
        using (var agent = new CliProcess(["run", "--store", file.Path, "--store-queue", $"{Queue}", "--store-batch", $"{Batch}"]))
        {
            agent.WaitUntilRunning();
            // Processes starting and ending as fast as a shell can start them: about three events each.
            using System.Diagnostics.Process load = Children.Start("/bin/sh", "-c", $"while :; do /bin/true {marker}; done");
            try
            {
                WaitForStoredExecs(file.Path, 1000);
                agent.Signal(9);
                agent.WaitForExit(TimeSpan.FromSeconds(10));
            }
            finally
            {
                load.Kill(entireProcessTree: true);
                load.WaitForExit();
            }

            // Everything the agent printed for the loop before it died, against what reached the store.
            HashSet<string> printed = [.. agent.Stdout.Where(l => l.Contains(marker, StringComparison.Ordinal) && l.Contains("\"process.exec\"", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("vigil.exec_id").GetString()!)];
            using EdgeStore crashed = EdgeStore.OpenReadOnly(file.Path);
            Assert.Equal("ok", crashed.IntegrityCheck());
            HashSet<string> stored = [.. crashed.Events(new EventQuery { Type = "exec", ProcessName = "true", Limit = 1_000_000 }).Select(e => e.ExecId)];
            Assert.True(stored.Count >= 1000, $"only {stored.Count} execs stored");
            // Lost: what was queued, the batch committing and the batch being prepared when the agent
            // died, and what a full queue refused before (on a loaded machine the loop can outrun the
            // writer), which the store counts with every commit.
            StoreRun run = Assert.Single(crashed.Runs());
            Assert.Null(run.Stopped);
            int lost = printed.Except(stored).Count();
            Assert.InRange(lost, 0L, Queue + (2 * Batch) + run.Dropped);
            Assert.InRange(run.Backlog, 0, Queue);
        }

        // The next agent opens the same file, says what the crash may have cost, and stops cleanly.
        using (var again = new CliProcess(["run", "--store", file.Path]))
        {
            again.WaitUntilRunning();
            Assert.Contains("stopped without closing the store", again.Stderr, StringComparison.Ordinal);
            again.Signal(15);
            Assert.Equal(0, again.WaitForExit(TimeSpan.FromSeconds(20)));
        }
        using EdgeStore reopened = EdgeStore.OpenReadOnly(file.Path);
        Assert.Equal([false, true], reopened.Runs().Select(r => r.Clean));
        Assert.Equal("ok", reopened.IntegrityCheck());
    }

    private static void WaitForStoredExecs(string path, int execs)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path))
            {
                try
                {
                    using EdgeStore store = EdgeStore.OpenReadOnly(path);
                    if (store.Events(new EventQuery { Type = "exec", ProcessName = "true", Limit = execs }).Count >= execs)
                    {
                        return;
                    }
                }
                catch (StoreException)
                {
                    // Created but not yet initialised by the agent.
                }
            }
            Thread.Sleep(100);
        }
        Assert.Fail($"the store did not reach {execs} execs of true within 60 s");
    }
}
