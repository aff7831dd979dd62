using Vigil.Enrichment.Containers;

namespace Vigil.Tests.Support;

/// <summary>
/// A cgroup tree of a test's own under the cgroup2 mount, named as a container runtime would
/// name it. Removed when disposed (deepest first), after the test's processes left it.
/// </summary>
public sealed class TestCgroup : IDisposable
{
    private readonly string _top;

    public TestCgroup(string relativePath)
    {
        string mount = new CgroupDirectory().MountPoint;
        _top = Path.Combine(mount, "vigil-test-" + Guid.NewGuid().ToString("N")[..8]);
        FullPath = Path.Combine(_top, relativePath.Trim('/'));
        Directory.CreateDirectory(FullPath);
        PathInHierarchy = "/" + Path.GetRelativePath(mount, FullPath);
    }

    /// <summary>The directory in the cgroup2 file system.</summary>
    public string FullPath { get; }

    /// <summary>The path as /proc/PID/cgroup and the kernel name it.</summary>
    public string PathInHierarchy { get; }

    public ulong Id => CgroupDirectory.IdOf(FullPath);

    /// <summary>A shell command prefix that moves the shell into this cgroup before it runs the rest.</summary>
    public string Enter => $"echo $$ > {FullPath}/cgroup.procs && ";

    public void Dispose()
    {
        // rmdir only succeeds on empty cgroups: children first; processes may take a moment to be reaped.
        foreach (string dir in Directory.EnumerateDirectories(_top, "*", SearchOption.AllDirectories)
                     .OrderByDescending(d => d.Length).Append(_top))
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    Directory.Delete(dir);
                    break;
                }
                catch (IOException) when (attempt < 49)
                {
                    Thread.Sleep(20);
                }
            }
        }
    }
}
