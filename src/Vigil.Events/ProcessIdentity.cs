namespace Vigil.Events;

/// <summary>Who did it, as the kernel saw it at the moment of the event.</summary>
public sealed record ProcessIdentity
{
    public required uint Pid { get; init; }
    public required uint Tid { get; init; }
    public required uint ParentPid { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public required uint EffectiveUid { get; init; }
    public required uint EffectiveGid { get; init; }
    public required ulong CgroupId { get; init; }
    public required string Comm { get; init; }
    public required ExecId ExecId { get; init; }
    public required ExecId ParentExecId { get; init; }
}
