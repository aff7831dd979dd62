using System.Net;
using Vigil.Events;

namespace Vigil.Tests.Support;

/// <summary>
/// Events as the sensors and enrichment would produce them, for testing the stages after them
/// (correlation, baselines) on exact, repeatable input. Kernel behaviour is tested on the kernel.
/// </summary>
public sealed class SyntheticEvents
{
    private uint _nextPid = 1000;

    public DateTime Now { get; set; } = new(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

    public ProcessInfo Process(string binary, ProcessInfo? parent = null, ContainerInfo? container = null, uint uid = 0)
    {
        uint pid = _nextPid++;
        return new ProcessInfo
        {
            ExecId = new ExecId(1, pid, pid),
            Pid = pid,
            ParentExecId = parent?.ExecId ?? default,
            ParentPid = parent?.Pid ?? 0,
            Parent = parent,
            Binary = binary,
            Args = [binary],
            Comm = Path.GetFileName(binary),
            Uid = uid,
            Container = container ?? ContainerInfo.Host,
        };
    }

    public ProcessIdentity Identity(ProcessInfo p) => new()
    {
        Pid = p.Pid,
        Tid = p.Pid,
        ParentPid = p.ParentPid,
        Uid = p.Uid,
        Gid = 0,
        EffectiveUid = p.Uid,
        EffectiveGid = 0,
        CgroupId = 1,
        Comm = p.Comm,
        ExecId = p.ExecId,
        ParentExecId = p.ParentExecId,
    };

    public ProcessExecEvent Exec(ProcessInfo p, TimeSpan after = default) => new()
    {
        Timestamp = Advance(after),
        Process = Identity(p),
        Context = p,
        Binary = p.Binary,
        Args = p.Args,
        ArgsTruncated = false,
    };

    public FileEvent File(ProcessInfo p, string path, FileIntent intent, string syscall = "openat", TimeSpan after = default) => new()
    {
        Timestamp = Advance(after),
        Process = Identity(p),
        Context = p,
        Syscall = syscall,
        Path = path,
        Intent = intent,
    };

    public NetworkEvent Connect(ProcessInfo p, string address, ushort port, TimeSpan after = default) => new()
    {
        Timestamp = Advance(after),
        Process = Identity(p),
        Context = p,
        Syscall = "connect",
        Protocol = TransportProtocol.Tcp,
        Direction = NetworkDirection.Outbound,
        SourceAddress = IPAddress.Loopback,
        SourcePort = 40000,
        DestinationAddress = IPAddress.Parse(address),
        DestinationPort = port,
    };

    private DateTime Advance(TimeSpan after)
    {
        Now += after == default ? TimeSpan.FromMilliseconds(10) : after;
        return Now;
    }
}
