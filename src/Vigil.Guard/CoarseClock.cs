using System.Runtime.InteropServices;

namespace Vigil.Guard;

/// <summary>
/// Resolution of CLOCK_MONOTONIC_COARSE (one scheduler tick), the clock the rate limiter reads:
/// a bucket must hold at least a tick's worth of credit or a tick's jump would forfeit some.
/// </summary>
internal static partial class CoarseClock
{
    private const int ClockMonotonicCoarse = 6;

    public static ulong ResolutionNs { get; } = Read();

    private static unsafe ulong Read()
    {
        long* ts = stackalloc long[2];
        return ClockGetres(ClockMonotonicCoarse, ts) == 0 ? (ulong)(ts[0] * 1_000_000_000 + ts[1]) : 10_000_000;
    }

    [LibraryImport("libc", EntryPoint = "clock_getres")]
    private static unsafe partial int ClockGetres(int clock, long* timespec);
}
