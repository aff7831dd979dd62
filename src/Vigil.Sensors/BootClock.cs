using System.Runtime.InteropServices;
using Vigil.Events;

namespace Vigil.Sensors;

/// <summary>Converts the kernel's boot-clock nanoseconds to wall time and start times to exec ids.</summary>
public static partial class BootClock
{
    private const int ClockRealtime = 0;
    private const int ClockBoottime = 7;

    /// <summary>Boot time in seconds since the epoch, as /proc/stat says (stable for the whole boot).</summary>
    public static long BootTime { get; } = ReadBootTime();

    /// <summary>Clock ticks per second of /proc/PID/stat start times (USER_HZ).</summary>
    public static long TicksPerSecond { get; } = Sysconf(2 /* _SC_CLK_TCK */);

    private static readonly long s_realtimeMinusBoottimeNs = Now(ClockRealtime) - Now(ClockBoottime);

    public static DateTime ToWallTime(ulong bootNs) =>
        DateTime.UnixEpoch.AddTicks(((long)bootNs + s_realtimeMinusBoottimeNs) / 100);

    public static ulong BootNanosecondsNow => (ulong)Now(ClockBoottime);

    public static ulong NanosecondsToTicks(ulong ns) => ns / (ulong)(1_000_000_000 / TicksPerSecond);

    public static ExecId ExecIdFromKernel(uint pid, ulong startBoottimeNs) =>
        new(BootTime, pid, NanosecondsToTicks(startBoottimeNs));

    public static DateTime StartTimeFromTicks(ulong ticks) =>
        DateTime.UnixEpoch.AddSeconds(BootTime).AddTicks((long)ticks * (TimeSpan.TicksPerSecond / TicksPerSecond));

    private static long ReadBootTime()
    {
        foreach (string line in System.IO.File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("/proc/stat has no btime line");
    }

    private static unsafe long Now(int clock)
    {
        Timespec ts;
        if (ClockGettime(clock, &ts) != 0)
        {
            throw new InvalidOperationException($"clock_gettime({clock}) failed");
        }
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGettime(int clock, Timespec* ts);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);
}
