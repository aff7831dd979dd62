namespace Vigil.Events;

/// <summary>
/// A privilege or tampering syscall: setuid family, capset, ptrace, memfd_create, module loading,
/// bpf, mount, unshare, setns.
/// </summary>
public sealed class PrivilegeEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Privilege;

    public required string Syscall { get; init; }

    /// <summary>New uid/gid of the setuid family; ptrace's target pid; otherwise 0.</summary>
    public long Target { get; init; }

    /// <summary>Syscall flags (unshare/setns namespace flags, ptrace request, memfd flags).</summary>
    public ulong Flags { get; init; }

    /// <summary>A name the syscall carries: memfd name, mount target, module name.</summary>
    public string Name { get; init; } = "";

    public long Result { get; init; }
}
