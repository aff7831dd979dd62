using System.Net;
using Vigil.Events;

/// <summary>
/// A node's day, compressed and repeatable: shell sessions and services exec children that open
/// files and connect out, then exit; now and then an attack-like session. Time advances 100 µs per
/// event, so correlation windows open and close as they would in hours of real activity.
/// </summary>
internal sealed class WorkloadStream(int seed)
{
    private static readonly string[] Tools = ["/usr/bin/ls", "/usr/bin/cat", "/usr/bin/grep", "/usr/bin/git", "/usr/bin/python3", "/usr/bin/curl", "/usr/bin/make", "/usr/bin/tar"];
    private static readonly string[] Files = ["/etc/hosts", "/etc/passwd", "/var/log/syslog", "/home/dev/src/main.c", "/tmp/build.o", "/var/lib/app/data.db"];
    private static readonly IPAddress[] Peers = [IPAddress.Parse("10.1.0.5"), IPAddress.Parse("10.1.0.6"), IPAddress.Parse("192.0.2.80"), IPAddress.Parse("198.51.100.20")];
    private static readonly ContainerInfo[] Containers =
    [
        ContainerInfo.Host,
        new() { Runtime = ContainerRuntime.Containerd, Id = new string('a', 64), CgroupPath = "/kubepods/pod1/" + new string('a', 64) },
        new() { Runtime = ContainerRuntime.Docker, Id = new string('b', 64), CgroupPath = "/docker/" + new string('b', 64) },
    ];

    private readonly Random _random = new(seed);
    private readonly ProcessInfo _sshd = Process("/usr/sbin/sshd", null, 500, ContainerInfo.Host);
    private uint _nextPid = 10_000;
    private DateTime _now = new(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);

    public DateTime Now => _now;

    /// <summary>Fills <paramref name="batch"/>; every <paramref name="detectionEvery"/>th event is also returned as a detection (by index, in order).</summary>
    public void Fill(VigilEvent[] batch, List<(int Index, string Rule)> detections, int detectionEvery)
    {
        int i = 0;
        while (i < batch.Length)
        {
            ContainerInfo container = Containers[_random.Next(Containers.Length)];
            ProcessInfo shell = Process("/usr/bin/bash", _sshd, _nextPid++, container);
            int commands = _random.Next(3, 12);
            for (int c = 0; c < commands && i < batch.Length; c++)
            {
                ProcessInfo tool = Process(Tools[_random.Next(Tools.Length)], shell, _nextPid++, container);
                batch[i++] = Exec(tool);
                for (int k = _random.Next(1, 6); k > 0 && i < batch.Length; k--)
                {
                    batch[i++] = _random.Next(4) == 0 ? Connect(tool) : Open(tool);
                }
                if (i < batch.Length)
                {
                    batch[i++] = Exit(tool);
                }
            }
        }
        for (int d = _random.Next(detectionEvery); d < batch.Length; d += detectionEvery)
        {
            string rule = batch[d] switch
            {
                ProcessExecEvent => "Run shell untrusted",
                FileEvent => "Read sensitive file untrusted",
                _ => "First outbound connection of a binary",
            };
            detections.Add((d, rule));
        }
    }

    private static ProcessInfo Process(string binary, ProcessInfo? parent, uint pid, ContainerInfo container) => new()
    {
        ExecId = new ExecId(1, pid, pid),
        Pid = pid,
        ParentExecId = parent?.ExecId ?? default,
        ParentPid = parent?.Pid ?? 1,
        Parent = parent,
        Binary = binary,
        Args = [binary],
        Comm = Path.GetFileName(binary),
        Container = container,
    };

    private ProcessIdentity Identity(ProcessInfo p) => new()
    {
        Pid = p.Pid, Tid = p.Pid, ParentPid = p.ParentPid, Uid = 1000, Gid = 1000, EffectiveUid = 1000, EffectiveGid = 1000,
        CgroupId = 1, Comm = p.Comm, ExecId = p.ExecId, ParentExecId = p.ParentExecId,
    };

    private DateTime Tick() => _now = _now.AddTicks(1000);

    private ProcessExecEvent Exec(ProcessInfo p) => new() { Timestamp = Tick(), Process = Identity(p), Context = p, Binary = p.Binary, Args = p.Args, ArgsTruncated = false };

    private FileEvent Open(ProcessInfo p)
    {
        bool write = _random.Next(5) == 0;
        return new() { Timestamp = Tick(), Process = Identity(p), Context = p, Syscall = "openat", Path = Files[_random.Next(Files.Length)], Intent = write ? FileIntent.Write : FileIntent.Read, Flags = write ? 1u : 0u };
    }

    private NetworkEvent Connect(ProcessInfo p) => new()
    {
        Timestamp = Tick(), Process = Identity(p), Context = p, Syscall = "connect", Protocol = TransportProtocol.Tcp, Direction = NetworkDirection.Outbound,
        SourceAddress = IPAddress.Loopback, SourcePort = 40000, DestinationAddress = Peers[_random.Next(Peers.Length)], DestinationPort = 443,
    };

    private ProcessExitEvent Exit(ProcessInfo p) => new() { Timestamp = Tick(), Process = Identity(p), Context = p, ExitCode = 0, Signal = 0, CoreDumped = false };
}
