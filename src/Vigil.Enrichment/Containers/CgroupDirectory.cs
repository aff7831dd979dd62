using System.Runtime.InteropServices;
using Vigil.Sensors.Process;

namespace Vigil.Enrichment.Containers;

/// <summary>
/// Maps cgroup v2 ids (what BPF's bpf_get_current_cgroup_id returns: the inode of the cgroup's
/// directory) to paths. Cgroups created while the process sensor runs are learned from its records
/// (<see cref="Created"/>) and kept after their removal, for the events still on their way; the
/// others are found by walking the cgroup2 mount, rescanned on a miss at most once per interval.
/// </summary>
public sealed partial class CgroupDirectory : ICgroupSink
{
    private readonly Dictionary<ulong, string> _paths = [];
    private readonly Dictionary<ulong, string> _learned = [];
    private readonly Queue<ulong> _learnedOldestFirst = new();
    private readonly int _learnedCapacity;
    private readonly TimeSpan _rescanInterval;
    private readonly Lock _lock = new();
    private DateTime _lastScan = DateTime.MinValue;

    public CgroupDirectory(string? mountPoint = null, TimeSpan? rescanInterval = null, int learnedCapacity = 16384)
    {
        MountPoint = mountPoint ?? FindCgroup2Mount() ?? throw new InvalidOperationException("no cgroup2 file system is mounted");
        _rescanInterval = rescanInterval ?? TimeSpan.FromMilliseconds(200);
        _learnedCapacity = learnedCapacity;
    }

    public string MountPoint { get; }

    /// <summary>Cgroup ids asked for that no directory had (the cgroup was already gone).</summary>
    public long Misses { get; private set; }

    /// <summary>The path relative to the cgroup2 root ("/" for the root), or null when no such cgroup exists.</summary>
    public string? PathOf(ulong cgroupId)
    {
        lock (_lock)
        {
            if (_learned.TryGetValue(cgroupId, out string? path) || _paths.TryGetValue(cgroupId, out path))
            {
                return path;
            }
            if (DateTime.UtcNow - _lastScan >= _rescanInterval)
            {
                Scan();
                if (_paths.TryGetValue(cgroupId, out path))
                {
                    return path;
                }
            }
            Misses++;
            return null;
        }
    }

    /// <summary>
    /// A cgroup the kernel created: known from now on, after its removal too, until
    /// <c>learnedCapacity</c> newer ones push it out (cgroup ids are never reused).
    /// </summary>
    public void Created(ulong cgroupId, string path)
    {
        lock (_lock)
        {
            if (!_learned.TryAdd(cgroupId, path))
            {
                return;
            }
            _learnedOldestFirst.Enqueue(cgroupId);
            if (_learnedOldestFirst.Count > _learnedCapacity)
            {
                _learned.Remove(_learnedOldestFirst.Dequeue());
            }
        }
    }

    /// <summary>The id of a cgroup named by its path relative to the cgroup2 root; null when there is none.</summary>
    public ulong? IdOfPath(string path)
    {
        string directory = Path.Combine(MountPoint, path.TrimStart('/'));
        return Directory.Exists(directory) ? IdOf(directory) : null;
    }

    /// <summary>The inode (cgroup id) of a cgroup directory.</summary>
    public static unsafe ulong IdOf(string directory)
    {
        byte* stat = stackalloc byte[256];
        if (Stat(directory, stat) != 0)
        {
            throw new IOException($"stat {directory}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        return *(ulong*)(stat + 8); // st_ino follows st_dev on x86-64 and arm64
    }

    private void Scan()
    {
        _lastScan = DateTime.UtcNow;
        _paths.Clear();
        var pending = new Stack<string>();
        pending.Push(MountPoint);
        while (pending.TryPop(out string? dir))
        {
            try
            {
                string relative = Path.GetRelativePath(MountPoint, dir);
                _paths[IdOf(dir)] = relative == "." ? "/" : "/" + relative;
                foreach (string child in Directory.EnumerateDirectories(dir))
                {
                    pending.Push(child);
                }
            }
            catch (IOException)
            {
                // Removed while walking.
            }
        }
    }

    private static string? FindCgroup2Mount()
    {
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // ... mount-point ... - fstype source options
            string[] halves = line.Split(" - ", 2);
            if (halves.Length == 2 && halves[1].StartsWith("cgroup2 ", StringComparison.Ordinal))
            {
                return halves[0].Split(' ')[4];
            }
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buf);
}
