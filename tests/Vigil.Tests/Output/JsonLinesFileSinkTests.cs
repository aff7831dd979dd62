using System.IO.Compression;
using System.Text.Json;
using Vigil.Agent.Output;
using Vigil.Agent.Pipeline;
using Vigil.Detection.Rules;
using Vigil.Events;
using Vigil.Tests.Support;

namespace Vigil.Tests.Output;

/// <summary>The JSON lines file sink on real files: rotation by size and age into gzip files, every record exactly once, and a bad disk that costs only its own records.</summary>
public sealed class JsonLinesFileSinkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-jsonl-").FullName;
    private readonly SyntheticEvents _events = new();

    private string FilePath => Path.Combine(_directory, "vigil.jsonl");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Rotation_by_size_gives_gzip_files_under_the_size_that_together_hold_every_record_once()
    {
        var sink = new JsonLinesFileSink(new JsonLinesFileOptions { Path = FilePath, MaxBytes = 8192, Keep = 1000, Events = true });
        ProcessInfo p = _events.Process("/usr/bin/writer");
        for (int i = 0; i < 500; i++)
        {
            sink.Event(_events.File(p, $"/var/tmp/file-{i}", FileIntent.Write));
        }
        await sink.DisposeAsync();

        IReadOnlyList<string> rotated = sink.RotatedFiles();
        Assert.True(rotated.Count > 10, $"only {rotated.Count} rotated files");
        Assert.Equal(sink.Rotations, rotated.Count);
        Assert.All(rotated, f => Assert.InRange(Decompress(f).Length, 1, 8192));
        // The newest records are in the file still open when the sink stopped.
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"/var/tmp/file-{i}"),
            AllLines(rotated).Concat(Lines(File.ReadAllText(FilePath))).Select(l => l.GetProperty("file.path").GetString()));
        Assert.Equal(0, sink.Dropped + sink.Failed);
    }

    [Fact]
    public async Task Rotation_by_age_starts_a_new_file_and_the_oldest_beyond_keep_are_deleted()
    {
        var sink = new JsonLinesFileSink(new JsonLinesFileOptions { Path = FilePath, MaxAge = TimeSpan.FromMilliseconds(300), Keep = 2, Events = true });
        ProcessInfo p = _events.Process("/usr/bin/slow");
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 3; i++)
            {
                sink.Event(_events.File(p, $"/var/tmp/r{round}-{i}", FileIntent.Write));
            }
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
        await sink.DisposeAsync();

        // Four rounds, each older than the age when the next arrived: three rotations, two of them kept, the last round still in the open file.
        Assert.Equal(3, sink.Rotations);
        IReadOnlyList<string> rotated = sink.RotatedFiles();
        Assert.Equal(2, rotated.Count);
        Assert.Equal(["/var/tmp/r1-0", "/var/tmp/r1-1", "/var/tmp/r1-2", "/var/tmp/r2-0", "/var/tmp/r2-1", "/var/tmp/r2-2"],
            AllLines(rotated).Select(l => l.GetProperty("file.path").GetString()));

        // The next run starts a file of its own: the previous run's is rotated first.
        var next = new JsonLinesFileSink(new JsonLinesFileOptions { Path = FilePath, Keep = 2 });
        await next.DisposeAsync();
        Assert.Equal(1, next.Rotations);
        Assert.Equal(["/var/tmp/r3-0", "/var/tmp/r3-1", "/var/tmp/r3-2"], AllLines([next.RotatedFiles()[^1]]).Select(l => l.GetProperty("file.path").GetString()));
        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public async Task Without_events_only_detections_and_incidents_are_written_with_the_event_attribute_names()
    {
        var sink = new JsonLinesFileSink(new JsonLinesFileOptions { Path = FilePath });
        ProcessInfo shell = _events.Process("/bin/sh");
        ProcessExecEvent exec = _events.Exec(shell);
        sink.Event(exec);
        sink.Detection(new RuleDetection("Terminal shell in container", RulePriority.Notice, ["shell"], "a shell", [], exec, 1));
        await sink.DisposeAsync();

        JsonElement line = Assert.Single(Lines(File.ReadAllText(FilePath)));
        Assert.Equal("detection", line.GetProperty("event.name").GetString());
        Assert.Equal("Terminal shell in container", line.GetProperty("rule.name").GetString());
        Assert.Equal("/bin/sh", line.GetProperty("vigil.event").GetProperty("process.executable.path").GetString());
    }

    [Fact]
    public async Task A_full_disk_fails_only_this_sink_and_every_failed_record_is_counted()
    {
        File.CreateSymbolicLink(FilePath, "/dev/full");
        var jsonl = new JsonLinesFileSink(new JsonLinesFileOptions { Path = FilePath, Events = true });
        var stdout = new StringWriter();
        var other = new RecordOutput(new JsonLinesFormatter(), stdout);
        var fanout = new ConclusionFanout([jsonl, other]);
        ProcessInfo p = _events.Process("/usr/bin/app");
        for (int i = 0; i < 200; i++)
        {
            fanout.Event(_events.File(p, $"/data/{i}", FileIntent.Write));
        }
        await jsonl.DisposeAsync();
        await other.DisposeAsync();

        Assert.Equal(200, jsonl.Failed);
        Assert.Equal(0, jsonl.Dropped);
        Assert.Equal(200, Lines(stdout.ToString()).Count());
    }

    [Fact]
    public async Task A_disk_write_that_blocks_fills_only_this_sinks_queue_and_the_others_get_every_record()
    {
        Assert.Equal(0, Children.Run("/usr/bin/mkfifo", FilePath));
        var jsonl = new JsonLinesFileSink(new JsonLinesFileOptions { Path = FilePath, Events = true, QueueCapacity = 10 });
        var stdout = new StringWriter();
        var other = new RecordOutput(new JsonLinesFormatter(), stdout);
        var fanout = new ConclusionFanout([jsonl, other]);
        ProcessInfo p = _events.Process("/usr/bin/app");
        // Nothing reads the FIFO yet: opening it for writing blocks the sink's drain.
        for (int i = 0; i < 200; i++)
        {
            fanout.Event(_events.File(p, $"/data/{i}", FileIntent.Write));
        }
        await other.DisposeAsync();
        Assert.Equal(200, Lines(stdout.ToString()).Count());
        // The queue's ten stay queued; how many the drain took into its batch before it blocked depends
        // on timing (it takes what is there while the loop above is still adding), so only: some were
        // dropped, and every record is either delivered or counted (below).
        Assert.InRange(jsonl.Dropped, 1, 200 - 10);

        // A reader unblocks the sink: what it had queued arrives, nothing more.
        Task<string> read = File.ReadAllTextAsync(FilePath, TestContext.Current.CancellationToken);
        await jsonl.DisposeAsync();
        Assert.Equal(200 - jsonl.Dropped, Lines(await read).Count());
    }

    private static string Decompress(string gz)
    {
        using var gzip = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    private static IEnumerable<JsonElement> AllLines(IEnumerable<string> gzFiles) => gzFiles.SelectMany(f => Lines(Decompress(f)));

    private static IEnumerable<JsonElement> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone());
}
