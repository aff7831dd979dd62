using System.Runtime.InteropServices;

namespace Vigil.Agent.Host;

/// <summary>The pseudo file systems BPF needs: tracefs (tracepoint ids) and bpffs (pins).</summary>
public static partial class SystemMounts
{
    public const string TraceFs = "/sys/kernel/tracing";
    public const string BpfFs = "/sys/fs/bpf";
    private const long TraceFsMagic = 0x74726163;
    private const long BpfFsMagic = 0xcafe4a11;

    public static bool IsTraceFsMounted => HasMagic(TraceFs, TraceFsMagic);

    public static bool IsBpfFsMounted => HasMagic(BpfFs, BpfFsMagic);

    /// <summary>Mounts what is missing; returns a description of each failure (empty when all is well).</summary>
    public static List<string> EnsureMounted()
    {
        var failures = new List<string>();
        if (!IsTraceFsMounted && Mount("tracefs", TraceFs, "tracefs") is { } traceError)
        {
            failures.Add($"tracefs at {TraceFs}: {traceError}");
        }
        if (!IsBpfFsMounted && Mount("bpf", BpfFs, "bpf") is { } bpfError)
        {
            failures.Add($"bpffs at {BpfFs}: {bpfError}");
        }
        return failures;
    }

    private static string? Mount(string source, string target, string type)
    {
        Directory.CreateDirectory(target);
        return MountSyscall(source, target, type, 0, 0) == 0 ? null : Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
    }

    private static unsafe bool HasMagic(string path, long magic)
    {
        byte* buf = stackalloc byte[120];
        return StatFs(path, buf) == 0 && *(long*)buf == magic;
    }

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MountSyscall(string source, string target, string type, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatFs(string path, byte* buf);
}
