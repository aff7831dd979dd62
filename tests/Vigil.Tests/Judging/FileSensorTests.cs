using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>The file sensor on the real kernel: what each syscall reports, and what the kernel keeps back.</summary>
public sealed class FileSensorTests
{
    [Fact]
    public void Each_file_syscall_is_reported_with_absolute_paths_intent_and_result()
    {
        using var run = new JudgedSensorRun();
        run.Apply(run.Rule("t/dir", r => r with { PathPrefixes = [run.Directory + "/"] }));
        string d = run.Directory;
        Assert.Equal(0, run.Shell("cat /etc/hostname > a; cat a > /dev/null; mv a b; chmod 600 b; chown 0:0 b; ln b hard; ln -s b soft; rm hard; cat missing 2>/dev/null; true"));

        FileEvent write = run.Sink.WaitFor<FileEvent>(e => e.Path == $"{d}/a" && e.Intent.HasFlag(FileIntent.Create));
        Assert.Equal("openat", write.Syscall);
        Assert.Equal(FileIntent.Write | FileIntent.Create | FileIntent.Truncate, write.Intent);
        Assert.True(write.Result >= 0);
        Assert.Equal(0x241u, write.Flags & 0x243u); // O_WRONLY|O_CREAT|O_TRUNC
        Assert.Equal(["t/dir"], write.Policy!.Rules);

        FileEvent read = run.Sink.WaitFor<FileEvent>(e => e.Path == $"{d}/a" && e.Intent == FileIntent.Read);
        Assert.Equal("cat", read.Process.Comm);
        FileEvent rename = run.Sink.WaitFor<FileEvent>(e => e.Syscall.StartsWith("rename", StringComparison.Ordinal));
        Assert.Equal(($"{d}/a", $"{d}/b", 0L), (rename.Path, rename.TargetPath, rename.Result));
        FileEvent chmod = run.Sink.WaitFor<FileEvent>(e => e.Syscall.Contains("chmod", StringComparison.Ordinal));
        Assert.Equal(($"{d}/b", 0x180u), (chmod.Path, chmod.Mode & 0xfff));
        run.Sink.WaitFor<FileEvent>(e => e.Syscall.Contains("chown", StringComparison.Ordinal) && e.Path == $"{d}/b");
        FileEvent link = run.Sink.WaitFor<FileEvent>(e => e.Syscall.StartsWith("link", StringComparison.Ordinal));
        Assert.Equal(($"{d}/b", $"{d}/hard"), (link.Path, link.TargetPath));
        FileEvent symlink = run.Sink.WaitFor<FileEvent>(e => e.Syscall.StartsWith("symlink", StringComparison.Ordinal));
        Assert.Equal(("b", $"{d}/soft"), (symlink.Path, symlink.TargetPath)); // the target as written
        run.Sink.WaitFor<FileEvent>(e => e.Syscall.StartsWith("unlink", StringComparison.Ordinal) && e.Path == $"{d}/hard");
        FileEvent missing = run.Sink.WaitFor<FileEvent>(e => e.Path == $"{d}/missing");
        Assert.Equal(-2, missing.Result); // ENOENT
    }

    [Fact]
    public void Unwatched_paths_are_counted_in_the_kernel_and_never_shipped()
    {
        using var run = new JudgedSensorRun();
        run.Apply(run.Rule("t/watched", r => r with { PathPrefixes = [run.Directory + "/watched/"] }));
        Directory.CreateDirectory(run.Directory + "/watched");
        ulong before = run.Tables.Unmatched;
        Assert.Equal(0, run.Shell("for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/hostname > other; done; cat /etc/hostname > watched/file"));

        run.Sink.WaitFor<FileEvent>(e => e.Path == run.Directory + "/watched/file");
        Assert.DoesNotContain(run.Sink.Snapshot().OfType<FileEvent>(), e => e.Path.EndsWith("/other", StringComparison.Ordinal) || e.Path == "/etc/hostname");
        Assert.True(run.Tables.Unmatched >= before + 20, $"unmatched went from {before} to {run.Tables.Unmatched}");
    }

    [Fact]
    public void Relative_paths_resolve_against_the_directory_fd()
    {
        using var run = new JudgedSensorRun();
        run.Apply(run.Rule("t/dir", r => r with { PathPrefixes = [run.Directory + "/"] }));
        Directory.CreateDirectory(run.Directory + "/sub");
        // find -delete unlinks relative to an open directory fd (unlinkat(dirfd, "leaf", 0)).
        File.WriteAllText(run.Directory + "/sub/leaf", "x");
        Assert.Equal(0, run.Shell("find sub -name leaf -delete"));

        FileEvent unlink = run.Sink.WaitFor<FileEvent>(e => e.Syscall == "unlinkat");
        Assert.Equal(run.Directory + "/sub/leaf", unlink.Path);
    }

    [Fact]
    public void Exact_and_suffix_paths_match_only_themselves()
    {
        using var run = new JudgedSensorRun();
        run.Apply(
            run.Rule("t/exact", r => r with { PathExact = [run.Directory + "/secret"] }),
            run.Rule("t/suffix", r => r with { PathSuffixes = [".key"] }));
        Assert.Equal(0, run.Shell("touch secret secret2 id.key id.keys; cat secret secret2 id.key id.keys"));

        Assert.Equal(["t/exact"], run.Sink.WaitFor<FileEvent>(e => e.Path == run.Directory + "/secret").Policy!.Rules);
        Assert.Equal(["t/suffix"], run.Sink.WaitFor<FileEvent>(e => e.Path == run.Directory + "/id.key").Policy!.Rules);
        Assert.DoesNotContain(run.Sink.Snapshot().OfType<FileEvent>(), e => e.Path.EndsWith("secret2", StringComparison.Ordinal) || e.Path.EndsWith(".keys", StringComparison.Ordinal));
    }

    [Fact]
    public void Intent_selects_writes_and_leaves_reads_out()
    {
        using var run = new JudgedSensorRun();
        run.Apply(run.Rule("t/writes", r => r with { PathPrefixes = [run.Directory + "/"], Intent = FileIntent.Write }));
        File.WriteAllText(run.Directory + "/f", "x");
        Assert.Equal(0, run.Shell("cat f > /dev/null; echo y >> f"));

        FileEvent write = run.Sink.WaitFor<FileEvent>(e => e.Path == run.Directory + "/f");
        Assert.True(write.Intent.HasFlag(FileIntent.Write));
        Assert.DoesNotContain(run.Sink.Snapshot().OfType<FileEvent>(), e => e.Intent == FileIntent.Read);
    }
}
