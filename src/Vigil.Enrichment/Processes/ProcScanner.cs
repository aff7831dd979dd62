using System.Globalization;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Enrichment.Containers;
using Vigil.Sensors.Process;

namespace Vigil.Enrichment.Processes;

/// <summary>
/// Seeds the <see cref="ProcessCache"/> from /proc at start, so processes that were running
/// before the agent have binaries, arguments and parents.
/// </summary>
public static class ProcScanner
{
    /// <summary>Reads every process under <paramref name="procRoot"/>; returns how many were cached.</summary>
    public static int Seed(ProcessCache cache, CgroupDirectory? cgroups = null, string procRoot = "/proc")
    {
        var found = new List<ProcessInfo>();
        foreach (string dir in Directory.EnumerateDirectories(procRoot))
        {
            if (uint.TryParse(Path.GetFileName(dir), out uint pid) && TryRead(dir, pid, cgroups) is { } info)
            {
                found.Add(info);
            }
        }
        // Parents first, so each child links to its cached parent.
        foreach (ProcessInfo info in found.OrderBy(p => p.ExecId.StartTicks).ThenBy(p => p.Pid))
        {
            cache.Put(info);
        }
        return found.Count;
    }

    /// <summary>One process, or null when it vanished while being read or is a kernel thread.</summary>
    public static ProcessInfo? TryRead(string dir, uint pid, CgroupDirectory? cgroups = null)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(dir, "stat"));
            // comm may contain spaces and parentheses: fields resume after the last ')'.
            int open = stat.IndexOf('(', StringComparison.Ordinal);
            int close = stat.LastIndexOf(')');
            string comm = stat[(open + 1)..close];
            string[] fields = stat[(close + 2)..].Split(' ');
            uint ppid = uint.Parse(fields[1], CultureInfo.InvariantCulture);
            ulong startTicks = ulong.Parse(fields[19], CultureInfo.InvariantCulture);
            string[] args = ProcessDecoder.SplitArgs(File.ReadAllBytes(Path.Combine(dir, "cmdline")));
            if (args.Length == 0)
            {
                return null; // kernel thread: no user-space image
            }
            Status status = ReadStatus(Path.Combine(dir, "status"));
            string exe = ReadLink(Path.Combine(dir, "exe"));
            string? cgroup = ReadCgroupPath(Path.Combine(dir, "cgroup"));
            var parentStart = ReadStartTicks(Path.Combine(Path.GetDirectoryName(dir)!, ppid.ToString(CultureInfo.InvariantCulture), "stat"));
            return new ProcessInfo
            {
                ExecId = new ExecId(BootClock.BootTime, pid, startTicks),
                Pid = pid,
                ParentPid = ppid,
                ParentExecId = ppid == 0 ? default : new ExecId(BootClock.BootTime, ppid, parentStart),
                Binary = exe,
                Args = args,
                Comm = comm,
                Uid = status.Uid,
                Gid = status.Gid,
                Details = new ExecDetails
                {
                    Cwd = ReadLink(Path.Combine(dir, "cwd")),
                    Tty = uint.Parse(fields[4], CultureInfo.InvariantCulture),
                    CapEffective = status.CapEffective,
                    CapPermitted = status.CapPermitted,
                    LoginUid = ReadLoginUid(Path.Combine(dir, "loginuid")),
                    ExeFromMemfd = exe.StartsWith("/memfd:", StringComparison.Ordinal),
                },
                Container = cgroup is null ? null : CgroupPathParser.Parse(cgroup),
                CgroupId = cgroup is null || cgroups is null ? 0 : CgroupDirectory.IdOf(cgroups.MountPoint + cgroup),
                StartTime = BootClock.StartTimeFromTicks(startTicks),
                Source = ProcessSource.ProcScan,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The cgroup v2 path ("0::/path" line), or null on a v1-only system.</summary>
    private static string? ReadCgroupPath(string cgroupFile) =>
        File.ReadLines(cgroupFile).FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];

    private static ulong ReadStartTicks(string statPath)
    {
        try
        {
            string stat = File.ReadAllText(statPath);
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return ulong.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or ArgumentException)
        {
            return 0;
        }
    }

    private readonly record struct Status(uint Uid, uint Gid, ulong CapPermitted, ulong CapEffective);

    private static Status ReadStatus(string statusPath)
    {
        var status = new Status();
        foreach (string line in File.ReadLines(statusPath))
        {
            string[] parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            status = parts[0] switch
            {
                "Uid:" => status with { Uid = uint.Parse(parts[1], CultureInfo.InvariantCulture) },
                "Gid:" => status with { Gid = uint.Parse(parts[1], CultureInfo.InvariantCulture) },
                "CapPrm:" => status with { CapPermitted = ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) },
                "CapEff:" => status with { CapEffective = ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) },
                _ => status,
            };
        }
        return status;
    }

    private static uint ReadLoginUid(string path)
    {
        try
        {
            return uint.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return uint.MaxValue;
        }
    }

    private static string ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
