namespace Vigil.Events;

/// <summary>
/// What the kernel knew about a process when it exec'd, beyond its identity: where it ran, its
/// terminal, its capabilities, its login session and whether its image came from no file system.
/// Taken at exec (a later chdir or capset is not reflected).
/// </summary>
public sealed record ExecDetails
{
    /// <summary>Working directory, without a trailing slash ("/" for the root).</summary>
    public string Cwd { get; init; } = "";

    /// <summary>Controlling terminal as in /proc/PID/stat (tty_nr); 0 without one.</summary>
    public uint Tty { get; init; }

    /// <summary>Effective capability set, bit N = capability N.</summary>
    public ulong CapEffective { get; init; }

    public ulong CapPermitted { get; init; }

    /// <summary>Audit login uid; uint.MaxValue when the process never logged in.</summary>
    public uint LoginUid { get; init; } = uint.MaxValue;

    /// <summary>The image was an anonymous memfd file: fileless execution.</summary>
    public bool ExeFromMemfd { get; init; }
}
