using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>Routes libbpf's own messages to Microsoft.Extensions.Logging.</summary>
public static unsafe class LibbpfLog
{
    private const int BufferSize = 16 * 1024;
    private static ILogger? s_logger;

    [ThreadStatic]
    private static byte* t_buffer;

    /// <summary>Installs the logger once per process; later calls replace it.</summary>
    public static void Use(ILogger logger)
    {
        s_logger = logger;
        Libbpf.SetPrint(&Print);
    }

    [UnmanagedCallersOnly]
    private static int Print(int level, byte* format, nint args)
    {
        try
        {
            ILogger? logger = s_logger;
            LogLevel mapped = level switch { 0 => LogLevel.Warning, 1 => LogLevel.Information, _ => LogLevel.Debug };
            if (logger is null || !logger.IsEnabled(mapped))
            {
                return 0;
            }
            if (t_buffer is null)
            {
                t_buffer = (byte*)NativeMemory.Alloc(BufferSize);
            }
            int n = Libc.Vsnprintf(t_buffer, BufferSize, format, args);
            if (n <= 0)
            {
                return 0;
            }
            string text = Encoding.UTF8.GetString(t_buffer, Math.Min(n, BufferSize - 1)).TrimEnd('\n');
            logger.Log(mapped, "libbpf: {Message}", text);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never let an exception cross into libbpf's frames.
        }
        return 0;
    }

    internal static string Utf8(byte* s) => s is null ? "" : Marshal.PtrToStringUTF8((nint)s) ?? "";
}
