namespace Vigil.Events;

/// <summary>What an open asked for, decoded from its flags.</summary>
[Flags]
public enum FileIntent
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Truncate = 8,
}

/// <summary>A file-system syscall: open family, unlink, rename, chmod, chown, link, symlink.</summary>
public sealed class FileEvent : VigilEvent
{
    public override EventKind Kind => EventKind.File;

    /// <summary>The syscall's name as Falco's <c>evt.type</c> spells it (openat, unlinkat, renameat2, ...).</summary>
    public required string Syscall { get; init; }

    public required string Path { get; init; }

    /// <summary>Second path of rename, link and symlink (the new name); empty otherwise.</summary>
    public string TargetPath { get; init; } = "";

    public FileIntent Intent { get; init; }

    /// <summary>Raw open flags (O_*) or the mode of chmod.</summary>
    public uint Flags { get; init; }

    public uint Mode { get; init; }

    /// <summary>The syscall's return value (fd or 0 on success, -errno on failure).</summary>
    public long Result { get; init; }
}
