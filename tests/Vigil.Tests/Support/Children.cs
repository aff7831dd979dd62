using System.Diagnostics;

namespace Vigil.Tests.Support;

/// <summary>Starts child processes for a test; only ever kills what it started.</summary>
public static class Children
{
    public static Process Start(string file, params string[] args) => StartIn("", file, args);

    /// <summary>Starts in the given working directory (empty: the test's own).</summary>
    public static Process StartIn(string workingDirectory, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
    }

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static int Run(string file, params string[] args)
    {
        using Process p = Start(file, args);
        p.WaitForExit();
        return p.ExitCode;
    }

    /// <summary>A marker argument unique to one test, to find its events among the machine's.</summary>
    public static string Marker() => "vigil-test-" + Guid.NewGuid().ToString("N")[..12];
}
