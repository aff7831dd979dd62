namespace Vigil.Sensors.Privilege;

/// <summary>
/// The syscalls of <c>enum vigil_privilege_syscall</c> (bpf/include/vigil/privilege.h), as Falco's
/// evt.type names them; each is also an event type of its own for policies.
/// </summary>
public static class PrivilegeSyscalls
{
    private static readonly string[] Names =
    [
        "setuid", "setreuid", "setresuid", "setgid", "setregid", "setresgid", "capset", "ptrace",
        "memfd_create", "init_module", "finit_module", "bpf", "mount", "unshare", "setns",
    ];

    public static IReadOnlyDictionary<string, int> EventTypes { get; } =
        Names.Select((name, op) => (name, op)).ToDictionary(x => x.name, x => x.op, StringComparer.Ordinal);

    public static string? Name(byte syscall) => syscall < Names.Length ? Names[syscall] : null;

    /// <summary>The setuid and setgid family, whose records say whether a non-root process asked for id 0.</summary>
    public static bool ChangesIds(string syscall) => syscall.StartsWith("setre", StringComparison.Ordinal)
        || syscall is "setuid" or "setgid";
}
