using Vigil.Events;

namespace Vigil.Storage;

/// <summary>The values of one <c>processes</c> row as an event gives them.</summary>
internal sealed record ProcessRow(ExecId ExecId, uint Pid, ExecId ParentExecId, uint ParentPid, string Name, string Binary, string CommandLine,
    uint UserId, string? Container, long Start);
