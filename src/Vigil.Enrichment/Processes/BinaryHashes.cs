using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Vigil.Enrichment.Processes;

/// <summary>Which file an executable is: its device, inode, modification time and size.</summary>
public readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode, long ModifiedSeconds, uint ModifiedNanoseconds, ulong Size);

/// <summary>An executable's SHA-256 (lower-case hex) and the file it was read from.</summary>
public readonly record struct BinaryHash(string Sha256, FileIdentity File);

/// <summary>
/// SHA-256 of executables, cached by <see cref="FileIdentity"/>: an unchanged binary is read once
/// however often it runs, and one rewritten in place or replaced is hashed again. Reads happen on
/// the caller's thread (a sink's queue, never the ring reader).
/// </summary>
public sealed partial class BinaryHashes(int capacity = 4096)
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private readonly Lock _lock = new();
    private readonly Dictionary<FileIdentity, string> _cache = [];

    /// <summary>
    /// What process <paramref name="pid"/> runs, through /proc/PID/exe (which reaches the image
    /// even when its path was replaced or removed); once the process is gone, the file at
    /// <paramref name="path"/> unless that is under /proc (/proc/self/fd/3 of a fileless exec would
    /// name one of the agent's own descriptors). Null when neither can be read.
    /// </summary>
    public BinaryHash? OfProcess(uint pid, string path) =>
        TryHash($"/proc/{pid}/exe") ?? (path.StartsWith('/') && !path.StartsWith("/proc/", StringComparison.Ordinal) ? TryHash(path) : null);

    public BinaryHash? TryHash(string path)
    {
        try
        {
            return Hash(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public BinaryHash Hash(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        FileIdentity id = Identify(file.SafeFileHandle, path, out bool regular);
        if (!regular)
        {
            throw new IOException($"{path} is not a regular file"); // a pipe or device would never end
        }
        lock (_lock)
        {
            if (_cache.TryGetValue(id, out string? known))
            {
                return new BinaryHash(known, id);
            }
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(file));
        lock (_lock)
        {
            if (_cache.Count >= capacity)
            {
                _cache.Clear(); // a burst of distinct binaries: start over rather than track recency
            }
            _cache[id] = hash;
        }
        return new BinaryHash(hash, id);
    }

    /// <summary>The identity of the file at <paramref name="path"/> (following links, so /proc/PID/exe names the image); null when it cannot be read.</summary>
    public static FileIdentity? IdentityOf(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            return Identify(file.SafeFileHandle, path, out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static unsafe FileIdentity Identify(SafeFileHandle file, string path, out bool regular)
    {
        const ushort FileType = 0xf000, RegularFile = 0x8000;
        byte* buffer = stackalloc byte[256]; // struct statx: the same layout on every architecture
        if (Statx((int)file.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer) != 0)
        {
            throw new IOException($"statx {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        regular = (*(ushort*)(buffer + 28) & FileType) == RegularFile;
        return new FileIdentity(
            DeviceMajor: *(uint*)(buffer + 136),
            DeviceMinor: *(uint*)(buffer + 140),
            Inode: *(ulong*)(buffer + 32),
            ModifiedSeconds: *(long*)(buffer + 112),
            ModifiedNanoseconds: *(uint*)(buffer + 120),
            Size: *(ulong*)(buffer + 40));
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
