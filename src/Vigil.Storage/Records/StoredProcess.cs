using System.Text.Json.Serialization;

namespace Vigil.Storage.Records;

/// <summary>A process the store saw start (exec, fork) or found as an ancestor, and whether it exited.</summary>
public sealed record StoredProcess(
    [property: JsonPropertyName("vigil.exec_id")] string ExecId,
    [property: JsonPropertyName("process.pid")] uint Pid,
    [property: JsonPropertyName("vigil.parent.exec_id")] string ParentExecId,
    [property: JsonPropertyName("process.parent.pid")] uint ParentPid,
    [property: JsonPropertyName("process.name")] string Name,
    [property: JsonPropertyName("process.executable.path")] string Binary,
    [property: JsonPropertyName("process.command_line")] string CommandLine,
    [property: JsonPropertyName("user.id")] uint UserId,
    [property: JsonPropertyName("container.id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContainerId,
    [property: JsonPropertyName("process.creation.time")] DateTime Start,
    [property: JsonPropertyName("vigil.exit.time"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? Exit,
    [property: JsonPropertyName("process.exit.code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExitCode);
