using System.Runtime.InteropServices;

namespace Vigil.Bpf;

/// <summary>A libbpf or BPF syscall failure, with the errno it reported.</summary>
public class BpfException : Exception
{
    public BpfException(string message, int errno)
        : base(errno == 0 ? message : $"{message}: {Vigil.Bpf.Errno.Describe(errno)}")
    {
        Errno = errno;
    }

    public BpfException(string message, Exception inner) : base(message, inner) { }

    public BpfException() { }

    public BpfException(string message) : base(message) { }

    public int Errno { get; }

    /// <summary>Throws for libbpf's convention: a negative return is -errno.</summary>
    internal static int Check(int result, string what)
    {
        if (result < 0)
        {
            throw new BpfException(what, -result);
        }
        return result;
    }
}

/// <summary>The kernel refused to load a program; <see cref="VerifierLog"/> says why.</summary>
public sealed class BpfLoadException : BpfException
{
    public BpfLoadException(string message, int errno, string verifierLog) : base(message, errno)
    {
        VerifierLog = verifierLog;
    }

    public BpfLoadException() { VerifierLog = ""; }

    public BpfLoadException(string message) : base(message) { VerifierLog = ""; }

    public BpfLoadException(string message, Exception inner) : base(message, inner) { VerifierLog = ""; }

    public string VerifierLog { get; }
}

public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int E2BIG = 7;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EOPNOTSUPP = 95;

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
