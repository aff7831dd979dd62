using System.Collections.Concurrent;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Detection.State;

/// <summary>
/// Remembers when each path was last written (opened for write or create, or renamed/linked into place),
/// so an exec can be judged by how recently its binary appeared: the field vigil.exe_written_age.
/// Bounded: past <see cref="Capacity"/> paths, writes older than <see cref="Horizon"/> are forgotten.
/// </summary>
public sealed class ExecutableWriteTracker(int capacity = 65_536, TimeSpan? horizon = null)
{
    // Values are ticks (a long), which ConcurrentDictionary updates in place without allocating.
    private readonly ConcurrentDictionary<string, long> _lastWrite = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity;

    public TimeSpan Horizon { get; } = horizon ?? TimeSpan.FromMinutes(10);

    public int Count => _lastWrite.Count;

    public void Observe(EventContext context)
    {
        switch (context.Event)
        {
            case FileEvent { Result: >= 0 } file when WritesContent(file):
                Record(file.TargetPath.Length > 0 ? file.TargetPath : file.Path, file.Timestamp);
                break;
            case ProcessExecEvent exec when _lastWrite.TryGetValue(exec.Binary, out long ticks):
                context.ExeWrittenAgeMs = (exec.Timestamp.Ticks - ticks) / TimeSpan.TicksPerMillisecond;
                break;
        }
    }

    // Only opens write content: the sensor gives chmod, chown and unlink a write intent too, and an old
    // binary made executable has not appeared.
    private static bool WritesContent(FileEvent file) =>
        (EventFields.IsOpen(file.Syscall) && (file.Intent & (FileIntent.Write | FileIntent.Create)) != 0)
        || (file.TargetPath.Length > 0 && file.Syscall.StartsWith("rename", StringComparison.Ordinal))
        || (file.TargetPath.Length > 0 && file.Syscall.StartsWith("link", StringComparison.Ordinal));

    private void Record(string path, DateTime when)
    {
        if (_lastWrite.Count >= Capacity && !_lastWrite.ContainsKey(path))
        {
            Prune(when);
        }
        _lastWrite[path] = when.Ticks;
    }

    private void Prune(DateTime now)
    {
        long oldest = (now - Horizon).Ticks;
        foreach (KeyValuePair<string, long> entry in _lastWrite)
        {
            if (entry.Value < oldest)
            {
                _lastWrite.TryRemove(entry);
            }
        }
    }
}
