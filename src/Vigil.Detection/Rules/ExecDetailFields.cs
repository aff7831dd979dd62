using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// Fields from what the process sensor records at exec (ExecDetails): working directory, terminal,
/// capabilities, login uid, fileless image. From the exec event itself for execs, from the
/// enrichment context otherwise.
/// </summary>
internal static class ExecDetailFields
{
    public static void Register(FieldRegistry r)
    {
        r.Text("proc.cwd", "ExecDetails.Cwd at exec, with a trailing '/' as in Falco", c => Details(c) is { } d ? WithSlash(d.Cwd) : FieldValues.NoText);
        r.Number("proc.tty", "ExecDetails.Tty: tty_nr of the controlling terminal, 0 without one", c => Details(c)?.Tty);
        r.Bool("proc.is_exe_from_memfd", "ExecDetails.ExeFromMemfd: the image's file is named memfd:* (read in the kernel at exec)", c => Details(c)?.ExeFromMemfd);
        r.Text("thread.cap_effective", "ExecDetails.CapEffective at exec, as CAP_* names", c => Details(c) is { } d ? Capabilities.Render(d.CapEffective).AsMemory() : FieldValues.NoText);
        r.Text("thread.cap_permitted", "ExecDetails.CapPermitted at exec, as CAP_* names", c => Details(c) is { } d ? Capabilities.Render(d.CapPermitted).AsMemory() : FieldValues.NoText);
        r.Number("user.loginuid", "ExecDetails.LoginUid (audit login uid), -1 when unset", c => Details(c) is { } d ? LoginUid(d) : null);
        r.Text("user.loginname", "user.loginuid resolved through /etc/passwd (cached)", c => Details(c) is { } d && LoginUid(d) >= 0 ? FieldValues.Text(c.Environment.Users.UserName(d.LoginUid)) : FieldValues.NoText);
    }

    private static ExecDetails? Details(EventContext c) =>
        c.Event is ProcessExecEvent exec ? exec.Details : c.Event.Context?.Details;

    private static long LoginUid(ExecDetails d) => d.LoginUid == uint.MaxValue ? -1 : d.LoginUid;

    private static ReadOnlyMemory<char>? WithSlash(string cwd) =>
        cwd.Length == 0 ? FieldValues.NoText : cwd.EndsWith('/') ? cwd.AsMemory() : (cwd + "/").AsMemory();
}
