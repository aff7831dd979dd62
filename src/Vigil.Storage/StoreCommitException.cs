namespace Vigil.Storage;

/// <summary>A batch the store took could not be committed (full disk, I/O error): <see cref="Records"/> of its records are lost.</summary>
public sealed class StoreCommitException(string message, int records, Exception inner) : Exception(message, inner)
{
    public int Records { get; } = records;
}
