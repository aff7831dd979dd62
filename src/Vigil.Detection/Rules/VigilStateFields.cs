using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>Vigil's own fields: state the trackers fill before rules run, and what the kernel judged.</summary>
internal static class VigilStateFields
{
    public static void Register(FieldRegistry r)
    {
        r.Bool("vigil.first_connect", "FirstConnectTracker: true on the first outbound connect of a binary; missing for other events", c => c.FirstConnect);
        r.Number("vigil.exe_written_age", "ExecutableWriteTracker: on exec, milliseconds since the binary was last written; missing if not seen written", c => c.ExeWrittenAgeMs);
        r.Bool("vigil.to_root", "PrivilegeEvent.ToRoot: setuid family, a process not fully root asked for id 0 (judged in the kernel); missing for other events",
            c => c.Event is PrivilegeEvent { Syscall: "setuid" or "setreuid" or "setresuid" or "setgid" or "setregid" or "setresgid" } p ? p.ToRoot : null);
    }
}
