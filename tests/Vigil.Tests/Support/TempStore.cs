namespace Vigil.Tests.Support;

/// <summary>A store file in a directory of the test's own, removed with its WAL files when disposed.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("vigil-store-").FullName;
        Path = System.IO.Path.Combine(Directory, "vigil.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
