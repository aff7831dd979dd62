using Vigil.Enrichment.Containers;
using Vigil.Events;
using Vigil.Sensors;

namespace Vigil.Enrichment.Processes;

/// <summary>
/// Keeps the <see cref="ProcessCache"/> current from process events and attaches the cached
/// process (with its ancestry and container) to every event before passing it on.
/// </summary>
public sealed class ProcessEnricher(ProcessCache cache, IEventSink next, ContainerResolver? containers = null) : IEventSink
{
    public void Publish(VigilEvent e)
    {
        switch (e)
        {
            case ProcessExecEvent exec:
                e.Context = Exec(exec);
                break;
            case ProcessForkEvent fork:
                e.Context = cache.Find(fork.Process.ExecId);
                cache.Put(Inherit(fork, e.Context));
                break;
            case ProcessExitEvent exit:
                e.Context = cache.Find(exit.Process.ExecId);
                cache.MarkExited(exit.Process.ExecId, exit.Timestamp);
                break;
            default:
                e.Context = cache.Find(e.Process.ExecId);
                break;
        }
        next.Publish(e);
    }

    private ProcessInfo Exec(ProcessExecEvent exec)
    {
        ProcessIdentity id = exec.Process;
        ProcessInfo info = cache.Find(id.ExecId) ?? new ProcessInfo
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
        info.CgroupId = id.CgroupId;
        info.Details = exec.Details;
        info.Container = containers?.Resolve(id.CgroupId) ?? info.Container;
        info.Source = ProcessSource.Exec;
        info.Parent ??= cache.Find(id.ParentExecId);
        cache.Put(info);
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
        Container = containers?.Resolve(fork.Process.CgroupId) ?? parent?.Container,
        StartTime = BootClock.StartTimeFromTicks(fork.ChildExecId.StartTicks),
        Source = ProcessSource.Fork,
    };
}
