using System.Runtime.InteropServices;

namespace Vigil.Bpf.Interop;

internal static unsafe partial class Libc
{
    internal const int ProtRead = 0x1;
    internal const int ProtWrite = 0x2;
    internal const int MapShared = 0x01;
    internal const int EpollCloexec = 0x80000;
    internal const int EpollCtlAdd = 1;
    internal const uint EpollIn = 0x001;
    internal const int EINTR = 4;

    /// <summary>Room for one <c>struct epoll_event</c> (12 bytes packed on x86-64, 16 on arm64).</summary>
    internal const int EpollEventSize = 16;

    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    internal static partial int Vsnprintf(byte* buffer, nuint size, byte* format, nint args);

    internal const int ORdOnly = 0;
    internal const int ODirectory = 0x10000;
    internal const int OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, long a, long b, long c);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    internal static partial int Munmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    /// <summary><paramref name="ev"/> points to a zeroed <see cref="EpollEventSize"/> buffer whose first word is the event mask.</summary>
    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epfd, int op, int fd, void* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epfd, void* events, int maxEvents, int timeoutMs);
}
