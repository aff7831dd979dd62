namespace Vigil.Sensors.File;

/// <summary>
/// The syscalls of <c>enum vigil_file_syscall</c> (bpf/include/vigil/file.h) by number, as Falco's
/// evt.type names them, and the event types policies name (<c>enum vigil_file_op</c>).
/// </summary>
public static class FileSyscalls
{
    private static readonly string[] Names =
    [
        "", "open", "openat", "openat2", "creat", "unlink", "unlinkat", "rename", "renameat", "renameat2",
        "chmod", "fchmodat", "fchmodat2", "chown", "lchown", "fchownat", "link", "linkat", "symlink", "symlinkat",
    ];

    /// <summary>Policy event types and their op numbers.</summary>
    public static IReadOnlyDictionary<string, int> EventTypes { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["open"] = 0,
        ["unlink"] = 1,
        ["rename"] = 2,
        ["chmod"] = 3,
        ["chown"] = 4,
        ["link"] = 5,
        ["symlink"] = 6,
    };

    public static string? Name(byte syscall) => syscall is > 0 and < 20 ? Names[syscall] : null;
}
