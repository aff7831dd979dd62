using System.Net;
using Vigil.Events;

namespace Vigil.Detection.Tests;

/// <summary>Builds Vigil events with a plausible process context, for tests and the rules benchmark.</summary>
public static class SyntheticEvents
{
    public static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static ProcessInfo Process(string binary, string[] args, ProcessInfo? parent = null, uint pid = 1000, string? comm = null, DateTime? start = null) => new()
    {
        ExecId = new ExecId(1, pid, 100),
        Pid = pid,
        ParentPid = parent?.Pid ?? 1,
        Binary = binary,
        Args = args,
        Comm = comm ?? Path.GetFileName(binary),
        StartTime = start ?? Now.AddMinutes(-10),
        Parent = parent,
        Container = ContainerInfo.Host,
    };

    /// <summary>A chain systemd -> sshd -> bash, the usual ancestry of an interactive command.</summary>
    public static ProcessInfo ShellSession()
    {
        ProcessInfo init = Process("/usr/lib/systemd/systemd", ["/sbin/init"], pid: 1, comm: "systemd");
        ProcessInfo sshd = Process("/usr/sbin/sshd", ["sshd: alice"], init, pid: 500);
        return Process("/usr/bin/bash", ["-bash"], sshd, pid: 900);
    }

    public static ProcessIdentity Identity(ProcessInfo process, uint uid = 1000) => new()
    {
        Pid = process.Pid,
        Tid = process.Pid,
        ParentPid = process.ParentPid,
        Uid = uid,
        Gid = uid,
        EffectiveUid = uid,
        EffectiveGid = uid,
        CgroupId = 1,
        Comm = process.Comm,
        ExecId = process.ExecId,
        ParentExecId = process.Parent?.ExecId ?? default,
    };

    public static ProcessExecEvent Exec(string binary, string[] args, ProcessInfo? parent = null, uint pid = 1000, uint uid = 1000, DateTime? at = null, ExecDetails? details = null)
    {
        ProcessInfo process = Process(binary, args, parent ?? ShellSession(), pid);
        process.Details = details;
        return new ProcessExecEvent
        {
            Timestamp = at ?? Now,
            Process = Identity(process, uid),
            Context = process,
            Binary = binary,
            Args = args,
            ArgsTruncated = false,
            Details = details ?? new ExecDetails(),
        };
    }

    public static FileEvent Open(string path, FileIntent intent, ProcessInfo process, uint flags = 0, long result = 3, uint uid = 1000, string syscall = "openat", DateTime? at = null) => new()
    {
        Timestamp = at ?? Now,
        Process = Identity(process, uid),
        Context = process,
        Syscall = syscall,
        Path = path,
        Intent = intent,
        Flags = flags,
        Result = result,
    };

    public static FileEvent PathPair(string syscall, string path, string target, ProcessInfo process, DateTime? at = null) => new()
    {
        Timestamp = at ?? Now,
        Process = Identity(process),
        Context = process,
        Syscall = syscall,
        Path = path,
        TargetPath = target,
    };

    public static NetworkEvent Connect(ProcessInfo process, string destination, ushort port, string source = "10.0.0.5", TransportProtocol protocol = TransportProtocol.Tcp, DateTime? at = null, NetworkDirection direction = NetworkDirection.Outbound, string syscall = "connect") => new()
    {
        Timestamp = at ?? Now,
        Process = Identity(process),
        Context = process,
        Syscall = syscall,
        Protocol = protocol,
        Direction = direction,
        SourceAddress = IPAddress.Parse(source),
        SourcePort = 40000,
        DestinationAddress = IPAddress.Parse(destination),
        DestinationPort = port,
    };

    public static PrivilegeEvent Ptrace(ProcessInfo process, ulong request) => new()
    {
        Timestamp = Now,
        Process = Identity(process),
        Context = process,
        Syscall = "ptrace",
        Flags = request,
    };

    /// <summary>A recorded-looking mix: mostly opens, some execs and connects, over many processes.</summary>
    public static List<VigilEvent> Stream(int count, int processes = 64)
    {
        ProcessInfo session = ShellSession();
        var pool = Enumerable.Range(0, processes)
            .Select(i => Process(i % 2 == 0 ? "/usr/bin/python3" : "/usr/sbin/nginx", ["worker", $"--id={i}"], session, pid: (uint)(2000 + i)))
            .ToArray();
        string[] files = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache", "/var/www/index.html", "/tmp/cache.db", "/proc/self/status"];
        var events = new List<VigilEvent>(count);
        for (int i = 0; i < count; i++)
        {
            ProcessInfo p = pool[i % pool.Length];
            events.Add((i % 10) switch
            {
                0 => Exec("/usr/bin/ls", ["ls", "-la", "/var/www"], p, pid: (uint)(5000 + (i % 500))),
                1 or 2 => Connect(p, "93.184.216.34", 443),
                3 => Open("/var/log/app.log", FileIntent.Write, p, flags: 0x441),
                _ => Open(files[i % files.Length], FileIntent.Read, p),
            });
        }
        return events;
    }
}
