using Vigil.Events;

namespace Vigil.Tests.Support;

/// <summary>
/// Records as the sensors hand them to enrichment: an identity and nothing known yet about the
/// process (no context), for testing how enrichment fills it in.
/// </summary>
public static class SensorRecords
{
    public static ProcessIdentity Identity(ExecId id, string comm = "sh", ulong cgroupId = 1) => new()
    {
        Pid = id.Pid,
        Tid = id.Pid,
        ParentPid = 1,
        Uid = 0,
        Gid = 0,
        EffectiveUid = 0,
        EffectiveGid = 0,
        CgroupId = cgroupId,
        Comm = comm,
        ExecId = id,
        ParentExecId = new ExecId(1, 1, 1),
    };

    public static FileEvent Open(ExecId id, string path, string comm = "sh", ulong cgroupId = 1) => new()
    {
        Timestamp = DateTime.UtcNow,
        Process = Identity(id, comm, cgroupId),
        Syscall = "openat",
        Path = path,
        Intent = FileIntent.Read,
    };

    public static ProcessExecEvent Exec(ExecId id, string binary = "/bin/sh", ulong cgroupId = 1) => new()
    {
        Timestamp = DateTime.UtcNow,
        Process = Identity(id, Path.GetFileName(binary), cgroupId),
        Binary = binary,
        Args = [Path.GetFileName(binary)],
        ArgsTruncated = false,
    };

    public static ProcessForkEvent Fork(ExecId parent, ExecId child) =>
        new() { Timestamp = DateTime.UtcNow, Process = Identity(parent), ChildPid = child.Pid, ChildExecId = child };
}
