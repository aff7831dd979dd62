using System.Runtime.InteropServices;

namespace Vigil.Bpf.Interop;

internal static unsafe partial class Libc
{
    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    internal static partial int Vsnprintf(byte* buffer, nuint size, byte* format, nint args);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();
}
