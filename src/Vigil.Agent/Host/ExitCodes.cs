namespace Vigil.Agent.Host;

/// <summary>Process exit codes of the CLI (sysexits.h where one fits).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 64;
    public const int Unavailable = 69;
    /// <summary>EX_NOPERM: not root and lacking CAP_BPF/CAP_PERFMON.</summary>
    public const int NoPermission = 77;
}
