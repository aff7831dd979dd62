using System.Net;
using Vigil.Events;

/// <summary>
/// Events like a busy node's: 2,000 processes of 100 binaries, a third of them in 40 containers;
/// 60% file opens, 15% connects and closes with bytes, 10% execs, 10% forks (of 2,000 children), 5% exits. Times are
/// spread evenly over the span that ends now, so age retention keeps everything.
/// </summary>
internal sealed class NodeWorkload
{
    public const int Processes = 2000;
    public const int Containers = 40;
    private const int ChildPool = 2000;

    private readonly Random _random;
    private readonly ProcessInfo[] _processes;
    private readonly string[] _paths;
    private readonly IPAddress[] _remotes;
    private readonly DateTime _start;
    private readonly TimeSpan _step;
    private long _n;

    public NodeWorkload(int seed, long total, TimeSpan span)
    {
        _random = new Random(seed);
        _start = DateTime.UtcNow - span;
        _step = span / total;
        ContainerIds = [.. Enumerable.Range(0, Containers).Select(i => $"{i:x4}" + new string((char)('a' + (i % 6)), 60))];
        _processes = [.. Enumerable.Range(0, Processes).Select(Process)];
        _paths = [.. Enumerable.Range(0, 500).Select(i => $"/var/lib/app{i % 20}/data/file{i}.db")];
        _remotes = [.. Enumerable.Range(0, 200).Select(i => new IPAddress([10, (byte)(i / 100), (byte)(i % 100), 7]))];
    }

    public string[] ContainerIds { get; }

    public IEnumerable<ProcessInfo> All => _processes;

    public DateTime Now => _start + (_step * _n);

    public void Fill(List<object> batch, int count)
    {
        batch.Clear();
        for (int i = 0; i < count; i++)
        {
            batch.Add(Next());
        }
    }

    private VigilEvent Next()
    {
        _n++;
        DateTime time = Now;
        ProcessInfo p = _processes[_random.Next(_processes.Length)];
        ProcessIdentity who = Identity(p);
        int kind = _random.Next(100);
        return kind switch
        {
            < 60 => new FileEvent { Timestamp = time, Process = who, Context = p, Syscall = "openat", Path = _paths[_random.Next(_paths.Length)], Intent = FileIntent.Read, Result = 3 },
            < 75 => new NetworkEvent
            {
                Timestamp = time, Process = who, Context = p, Syscall = kind < 68 ? "connect" : "close", Protocol = TransportProtocol.Tcp,
                Direction = NetworkDirection.Outbound, SourceAddress = IPAddress.Loopback, SourcePort = (ushort)(30000 + _random.Next(20000)),
                DestinationAddress = _remotes[_random.Next(_remotes.Length)], DestinationPort = 443,
                BytesSent = kind < 68 ? 0 : (ulong)_random.Next(100_000), BytesReceived = kind < 68 ? 0 : (ulong)_random.Next(1_000_000),
            },
            < 85 => new ProcessExecEvent { Timestamp = time, Process = who, Context = p, Binary = p.Binary, Args = p.Args, ArgsTruncated = false },
            // Children come from a pool, as short-lived workers do: the process table stays a node's size.
            < 95 => new ProcessForkEvent { Timestamp = time, Process = who, Context = p, ChildPid = (uint)(100_000 + (_n % ChildPool)), ChildExecId = new ExecId(1, (uint)(100_000 + (_n % ChildPool)), 1) },
            _ => new ProcessExitEvent { Timestamp = time, Process = who, Context = p, ExitCode = 0, Signal = 0, CoreDumped = false },
        };
    }

    private ProcessInfo Process(int i)
    {
        string binary = $"/usr/bin/tool{i % 100}";
        ContainerInfo container = i % 3 == 0
            ? new ContainerInfo { Runtime = ContainerRuntime.Containerd, Id = ContainerIds[i % Containers], CgroupPath = "/kubepods/" + i }
            : ContainerInfo.Host;
        return new ProcessInfo
        {
            ExecId = new ExecId(1, (uint)(1000 + i), (ulong)(5000 + i)),
            Pid = (uint)(1000 + i),
            ParentExecId = new ExecId(1, 1, 1),
            ParentPid = 1,
            Binary = binary,
            Args = [binary, "--config", $"/etc/tool{i % 100}.conf", "--worker", $"{i}"],
            Comm = $"tool{i % 100}",
            Container = container,
            StartTime = DateTime.UtcNow.AddDays(-1),
        };
    }

    private static ProcessIdentity Identity(ProcessInfo p) => new()
    {
        Pid = p.Pid, Tid = p.Pid, ParentPid = p.ParentPid, Uid = 0, Gid = 0, EffectiveUid = 0, EffectiveGid = 0,
        CgroupId = 1, Comm = p.Comm, ExecId = p.ExecId, ParentExecId = p.ParentExecId,
    };
}
