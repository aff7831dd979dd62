using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Vigil.Detection.Rules;

/// <summary>
/// Renders numeric syscall values the way Falco prints them (errno names, O_* flags, PTRACE_*
/// requests), so rules written against Falco's text match. Rendered flag sets are cached, so each
/// distinct value is formatted once and evaluation afterwards allocates nothing.
/// </summary>
internal static class SyscallArgumentNames
{
    private static readonly FrozenDictionary<int, string> Errno = new Dictionary<int, string>
    {
        [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO", [7] = "E2BIG",
        [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES",
        [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR",
        [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [26] = "ETXTBSY", [27] = "EFBIG",
        [28] = "ENOSPC", [30] = "EROFS", [31] = "EMLINK", [32] = "EPIPE", [36] = "ENAMETOOLONG", [38] = "ENOSYS",
        [39] = "ENOTEMPTY", [40] = "ELOOP", [95] = "EOPNOTSUPP", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE",
        [99] = "EADDRNOTAVAIL", [100] = "ENETDOWN", [101] = "ENETUNREACH", [103] = "ECONNABORTED", [104] = "ECONNRESET",
        [110] = "ETIMEDOUT", [111] = "ECONNREFUSED", [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<ulong, string> PtraceRequests = new Dictionary<ulong, string>
    {
        [0] = "PTRACE_TRACEME", [1] = "PTRACE_PEEKTEXT", [2] = "PTRACE_PEEKDATA", [3] = "PTRACE_PEEKUSR",
        [4] = "PTRACE_POKETEXT", [5] = "PTRACE_POKEDATA", [6] = "PTRACE_POKEUSR", [7] = "PTRACE_CONT",
        [8] = "PTRACE_KILL", [9] = "PTRACE_SINGLESTEP", [12] = "PTRACE_GETREGS", [13] = "PTRACE_SETREGS",
        [14] = "PTRACE_GETFPREGS", [15] = "PTRACE_SETFPREGS", [16] = "PTRACE_ATTACH", [17] = "PTRACE_DETACH",
        [24] = "PTRACE_SYSCALL", [0x4200] = "PTRACE_SETOPTIONS", [0x4201] = "PTRACE_GETEVENTMSG",
        [0x4202] = "PTRACE_GETSIGINFO", [0x4203] = "PTRACE_SETSIGINFO", [0x4204] = "PTRACE_GETREGSET",
        [0x4205] = "PTRACE_SETREGSET", [0x4206] = "PTRACE_SEIZE", [0x4207] = "PTRACE_INTERRUPT", [0x4208] = "PTRACE_LISTEN",
    }.ToFrozenDictionary();

    private static readonly (uint Bit, string Name)[] OpenFlagBits =
    [
        (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"),
        (0x800, "O_NONBLOCK"), (0x1000, "O_DSYNC"), (0x4000, "O_DIRECT"), (0x8000, "O_LARGEFILE"),
        (0x10000, "O_DIRECTORY"), (0x20000, "O_NOFOLLOW"), (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"),
        (0x200000, "O_PATH"), (0x400000, "O_TMPFILE"),
    ];

    private static readonly ConcurrentDictionary<uint, string> OpenFlagsCache = new();

    private static readonly ConcurrentDictionary<long, string> UnknownNumbers = new();

    /// <summary>Falco's evt.res: SUCCESS, or the errno name of a failure.</summary>
    public static string Result(long result) =>
        result >= 0 ? "SUCCESS"
        : Errno.TryGetValue((int)-result, out string? name) ? name
        : UnknownNumbers.GetOrAdd(result, static r => r.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string? PtraceRequest(ulong request) => PtraceRequests.GetValueOrDefault(request);

    public static string OpenFlags(uint flags) => OpenFlagsCache.GetOrAdd(flags, FormatOpenFlags);

    private static string FormatOpenFlags(uint flags)
    {
        var names = new List<string>
        {
            (flags & 3) switch { 1 => "O_WRONLY", 2 => "O_RDWR", _ => "O_RDONLY" },
        };
        foreach ((uint bit, string name) in OpenFlagBits)
        {
            if ((flags & bit) == bit)
            {
                names.Add(name);
            }
        }
        return string.Join('|', names);
    }
}
