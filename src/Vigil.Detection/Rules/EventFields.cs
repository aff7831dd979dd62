using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>The evt.* fields: what happened, when, and with which syscall arguments.</summary>
internal static class EventFields
{
    /// <summary>Vigil events are completed syscalls, reported once, so all carry Falco's exit direction.</summary>
    private const string ExitDirection = "<";

    public static void Register(FieldRegistry r)
    {
        r.Text("evt.type", "ProcessExecEvent: execve; fork: clone; exit: procexit; file/network/privilege: Syscall", c => TypeOf(c.Event).AsMemory());
        r.Text("evt.dir", "always '<': every Vigil event is a completed syscall", _ => ExitDirection.AsMemory());
        r.Text("evt.time", "Timestamp as HH:mm:ss.fffffff (UTC)", Time);
        r.Number("evt.rawtime", "Timestamp in nanoseconds since the Unix epoch", c => (c.Event.Timestamp.Ticks - DateTime.UnixEpoch.Ticks) * 100);
        r.Number("evt.num", "the event's position in the evaluated stream, from 1", c => c.Number);
        r.Text("evt.hostname", "the agent host's name", c => c.Environment.HostName.AsMemory());
        r.Text("evt.res", "Result: SUCCESS or the errno name; exec: SUCCESS (only completed execs are reported)", Res);
        r.Number("evt.rawres", "Result (exec: 0)", RawResult);
        r.Bool("evt.failed", "Result < 0", c => RawResult(c) is { } res ? res < 0 : null);
        r.Bool("evt.is_open_read", "FileEvent of an open syscall with Intent Read", c => OpenIntent(c, FileIntent.Read));
        r.Bool("evt.is_open_write", "FileEvent of an open syscall with Intent Write", c => OpenIntent(c, FileIntent.Write));
        r.Bool("evt.is_open_create", "FileEvent of an open syscall with Intent Create", c => OpenIntent(c, FileIntent.Create));
        r.Text("evt.arg.flags", "FileEvent.Flags of open syscalls, as O_* names", Flags);
        r.Text("evt.arg.request", "PrivilegeEvent.Flags of ptrace, as PTRACE_* names", PtraceRequest);
        r.Text("evt.arg.target", "FileEvent.Path of symlink/symlinkat", c => PathArgument(c, "symlink", target: false));
        r.Text("evt.arg.linkpath", "FileEvent.TargetPath of symlink/symlinkat", c => PathArgument(c, "symlink", target: true));
        r.Text("evt.arg.oldpath", "FileEvent.Path of link/linkat/rename*", c => PathArgument(c, "link", target: false) ?? PathArgument(c, "rename", target: false));
        r.Text("evt.arg.newpath", "FileEvent.TargetPath of link/linkat/rename*", c => PathArgument(c, "link", target: true) ?? PathArgument(c, "rename", target: true));
        r.Text("evt.arg.name", "FileEvent.Path", c => c.Event is FileEvent f ? f.Path.AsMemory() : FieldValues.NoText);
        r.Text("evt.arg.path", "FileEvent.Path", c => c.Event is FileEvent f ? f.Path.AsMemory() : FieldValues.NoText);
    }

    public static string TypeOf(VigilEvent e) => e switch
    {
        ProcessExecEvent => "execve",
        ProcessForkEvent => "clone",
        ProcessExitEvent => "procexit",
        FileEvent f => f.Syscall,
        NetworkEvent n => n.Syscall,
        PrivilegeEvent p => p.Syscall,
        _ => "unknown",
    };

    public static bool IsOpen(string syscall) => syscall is "open" or "openat" or "openat2" or "creat";

    private static ReadOnlyMemory<char>? Time(EventContext c) =>
        c.Time.IsBuilt ? c.Time.Value : BuildTime(c);

    private static ReadOnlyMemory<char> BuildTime(EventContext c)
    {
        c.Time.Append(c.Event.Timestamp, "HH:mm:ss.fffffff");
        return c.Time.Complete();
    }

    private static long? RawResult(EventContext c) => c.Event switch
    {
        FileEvent f => f.Result,
        NetworkEvent n => n.Result,
        PrivilegeEvent p => p.Result,
        ProcessExecEvent => 0,
        _ => null,
    };

    private static ReadOnlyMemory<char>? Res(EventContext c) =>
        RawResult(c) is { } res ? SyscallArgumentNames.Result(res).AsMemory() : FieldValues.NoText;

    private static bool? OpenIntent(EventContext c, FileIntent intent) =>
        c.Event is FileEvent f && IsOpen(f.Syscall) ? (f.Intent & intent) != 0 : null;

    private static ReadOnlyMemory<char>? Flags(EventContext c) =>
        c.Event is FileEvent f && IsOpen(f.Syscall) ? SyscallArgumentNames.OpenFlags(f.Flags).AsMemory() : FieldValues.NoText;

    private static ReadOnlyMemory<char>? PtraceRequest(EventContext c) =>
        c.Event is PrivilegeEvent { Syscall: "ptrace" } p ? FieldValues.Text(SyscallArgumentNames.PtraceRequest(p.Flags)) : FieldValues.NoText;

    private static ReadOnlyMemory<char>? PathArgument(EventContext c, string syscallPrefix, bool target) =>
        c.Event is FileEvent f && f.Syscall.StartsWith(syscallPrefix, StringComparison.Ordinal)
            ? (target ? f.TargetPath : f.Path).AsMemory()
            : FieldValues.NoText;
}
