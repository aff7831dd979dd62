namespace Vigil.Events;

/// <summary>
/// Identifies one process for its whole life, across pid reuse: boot time, pid and the process's
/// start time in clock ticks since boot (the unit of /proc/PID/stat, so processes seeded from
/// /proc and processes seen exec'ing get the same id). An exec in place keeps the id: it is the
/// same process running a new image.
/// </summary>
public readonly record struct ExecId(long BootTime, uint Pid, ulong StartTicks)
{
    public bool IsEmpty => Pid == 0 && StartTicks == 0;

    /// <summary>The most characters <see cref="ToString"/> gives: 16 hex digits, 10 and 20 decimal ones, two dashes.</summary>
    public const int MaxLength = 48;

    public override string ToString() => $"{BootTime:x}-{Pid}-{StartTicks}";

    /// <summary>Writes what <see cref="ToString"/> returns without allocating it.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten) =>
        destination.TryWrite(System.Globalization.CultureInfo.InvariantCulture, $"{BootTime:x}-{Pid}-{StartTicks}", out charsWritten);

    public static bool TryParse(string text, out ExecId id)
    {
        id = default;
        string[] parts = text.Split('-');
        if (parts.Length != 3
            || !long.TryParse(parts[0], System.Globalization.NumberStyles.HexNumber, null, out long boot)
            || !uint.TryParse(parts[1], out uint pid)
            || !ulong.TryParse(parts[2], out ulong ticks))
        {
            return false;
        }
        id = new ExecId(boot, pid, ticks);
        return true;
    }
}
