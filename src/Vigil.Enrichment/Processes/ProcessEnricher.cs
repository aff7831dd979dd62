using Vigil.Enrichment.Containers;
using Vigil.Events;
using Vigil.Sensors;

namespace Vigil.Enrichment.Processes;

/// <summary>
/// Keeps the <see cref="ProcessCache"/> current from process events and attaches the cached
/// process (with its ancestry and container) to every event before passing it on. Events of a
/// process not known yet wait for it in <see cref="LateContext"/>.
/// </summary>
public sealed class ProcessEnricher : IEventSink, IDisposable
{
    private readonly ProcessCache _cache;
    private readonly IEventSink _next;
    private readonly ContainerResolver? _containers;

    public ProcessEnricher(ProcessCache cache, IEventSink next, ContainerResolver? containers = null, LateContextOptions? late = null)
    {
        _cache = cache;
        _next = next;
        _containers = containers;
        Late = new LateContext(late ?? new LateContextOptions(), next);
    }

    public LateContext Late { get; }

    public void Publish(VigilEvent e)
    {
        ProcessInfo? arrived = null;
        switch (e)
        {
            case ProcessExecEvent exec:
                e.Context = arrived = Exec(exec);
                break;
            case ProcessForkEvent fork:
                e.Context = _cache.Find(fork.Process.ExecId);
                arrived = Inherit(fork, e.Context);
                _cache.Put(arrived);
                break;
            case ProcessExitEvent exit:
                e.Context = _cache.Find(exit.Process.ExecId);
                _cache.MarkExited(exit.Process.ExecId, exit.Timestamp);
                break;
            default:
                e.Context = _cache.Find(e.Process.ExecId);
                if ((e.Context is null && !e.Process.ExecId.IsEmpty) || (e.Context is not null && LateContext.ExecOnItsWay(e, e.Context)))
                {
                    Late.Park(e);
                    return;
                }
                FollowCgroup(e.Context, e.Process.CgroupId);
                break;
        }
        _next.Publish(e);
        if (arrived is not null)
        {
            Late.Arrived(arrived);
        }
    }

    /// <summary>
    /// A process moved to another cgroup since its exec (a runtime placing it, a shell joining one): its
    /// container follows. While its cgroup is unknown it is asked again: the cgroup's record from the
    /// process ring may be read after this event from another ring.
    /// </summary>
    private void FollowCgroup(ProcessInfo? process, ulong cgroupId)
    {
        if (process is null || cgroupId == 0 || (process.CgroupId == cgroupId && process.Container is not null) || _containers is null)
        {
            return;
        }
        process.CgroupId = cgroupId;
        process.Container = _containers.Resolve(cgroupId);
    }

    public void Dispose() => Late.Dispose();

    private ProcessInfo Exec(ProcessExecEvent exec)
    {
        ProcessIdentity id = exec.Process;
        ProcessInfo info = _cache.Find(id.ExecId) ?? new ProcessInfo
        {
            ExecId = id.ExecId,
            Pid = id.Pid,
            StartTime = BootClock.StartTimeFromTicks(id.ExecId.StartTicks),
        };
        info.ParentExecId = id.ParentExecId;
        info.ParentPid = id.ParentPid;
        info.Binary = exec.Binary;
        info.Args = exec.Args;
        info.Comm = id.Comm;
        info.Uid = id.Uid;
        info.Gid = id.Gid;
        // A cgroup found once stands after it is gone; a new cgroup that cannot be found is not guessed from the old one.
        info.Container = _containers?.Resolve(id.CgroupId) ?? (info.CgroupId == id.CgroupId ? info.Container : null);
        info.CgroupId = id.CgroupId;
        info.Details = exec.Details;
        info.Source = ProcessSource.Exec;
        info.Parent ??= _cache.Find(id.ParentExecId);
        _cache.Put(info);
        return info;
    }

    /// <summary>A forked child runs its parent's image until it execs.</summary>
    private ProcessInfo Inherit(ProcessForkEvent fork, ProcessInfo? parent) => new()
    {
        ExecId = fork.ChildExecId,
        Pid = fork.ChildPid,
        ParentExecId = fork.Process.ExecId,
        ParentPid = fork.Process.Pid,
        Parent = parent,
        Binary = parent?.Binary ?? "",
        Args = parent?.Args ?? [],
        Details = parent?.Details,
        Comm = fork.Process.Comm,
        Uid = fork.Process.Uid,
        Gid = fork.Process.Gid,
        CgroupId = fork.Process.CgroupId,
        Container = _containers?.Resolve(fork.Process.CgroupId) ?? parent?.Container,
        StartTime = BootClock.StartTimeFromTicks(fork.ChildExecId.StartTicks),
        Source = ProcessSource.Fork,
    };
}
