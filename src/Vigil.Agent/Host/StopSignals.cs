using System.Runtime.InteropServices;

namespace Vigil.Agent.Host;

/// <summary>
/// SIGINT and SIGTERM always stop the agent. A shell starts the jobs of a script (`vigil run &`)
/// with SIGINT ignored, and .NET keeps a signal it inherits ignored (it installs no handler for
/// it), so Ctrl-C and `kill -INT` would do nothing. Called first thing, before .NET sets up its
/// signal handling, this puts an ignored SIGINT or SIGTERM back to its default action, which .NET
/// then handles as usual.
/// </summary>
public static unsafe partial class StopSignals
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const nint Default = 0; // SIG_DFL
    private const nint Ignore = 1; // SIG_IGN
    private const int SigactionBytes = 256; // glibc's struct sigaction is 152 bytes on 64-bit Linux, the handler first

    public static void Restore()
    {
        foreach (int signal in (ReadOnlySpan<int>)[SigInt, SigTerm])
        {
            if (IsIgnored(signal))
            {
                Signal(signal, Default);
            }
        }
    }

    private static bool IsIgnored(int signal)
    {
        byte* action = stackalloc byte[SigactionBytes];
        return SigAction(signal, null, action) == 0 && *(nint*)action == Ignore;
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static partial int SigAction(int signal, byte* action, byte* previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
