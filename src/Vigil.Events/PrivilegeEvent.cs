namespace Vigil.Events;

/// <summary>
/// A privilege or tampering syscall: setuid family, capset, ptrace, memfd_create, module loading,
/// bpf, mount, unshare, setns.
/// </summary>
public sealed class PrivilegeEvent : VigilEvent
{
    public override EventKind Kind => EventKind.Privilege;

    public required string Syscall { get; init; }

    /// <summary>New uid/gid of the setuid family; ptrace's target pid; capset's pid; setns' and finit_module's fd; otherwise 0.</summary>
    public long Target { get; init; }

    /// <summary>Syscall flags: ptrace request, unshare flags, setns nstype, memfd and mount flags, bpf command, capset's new effective set.</summary>
    public ulong Flags { get; init; }

    /// <summary>A name the syscall carries: memfd name, mount target, module parameters.</summary>
    public string Name { get; init; } = "";

    /// <summary>setuid and setgid family: a process not fully root (real or effective id not 0) asked for id 0.</summary>
    public bool ToRoot { get; init; }

    public long Result { get; init; }
}
