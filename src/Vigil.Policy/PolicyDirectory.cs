namespace Vigil.Policy;

/// <summary>
/// A directory of policy files (*.yaml, *.yml), put in force as one set and watched: a change
/// reloads it. A file that does not read keeps its last good version in force (or stays out); a set
/// that does not compile leaves the set in force as it was. Problems go to the reporter.
/// </summary>
public sealed class PolicyDirectory : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);
    private readonly PolicyEngine _engine;
    private readonly Action<PolicyException> _report;
    private readonly Dictionary<string, PolicyDocument> _lastGood = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private FileSystemWatcher? _watcher;
    private Timer? _reload;

    public PolicyDirectory(string path, PolicyEngine engine, Action<PolicyException> report)
    {
        Path = System.IO.Path.GetFullPath(path);
        _engine = engine;
        _report = report;
    }

    public string Path { get; }

    /// <summary>Reads every file and puts the set in force; returns how many policies are in force.</summary>
    public int Load()
    {
        lock (_lock)
        {
            var files = new HashSet<string>(Files(Path), StringComparer.Ordinal);
            foreach (string gone in _lastGood.Keys.Where(f => !files.Contains(f)).ToList())
            {
                _lastGood.Remove(gone);
            }
            foreach (string file in files)
            {
                try
                {
                    _lastGood[file] = PolicyReader.ReadFile(file);
                }
                catch (PolicyException ex)
                {
                    _report(ex);
                }
                catch (IOException ex)
                {
                    _report(new PolicyException(new PolicyLocation(file, 0, 0), ex.Message));
                }
            }
            try
            {
                _engine.ReplaceAll(_lastGood.Values, PolicyOrigin.Directory);
            }
            catch (PolicyException ex)
            {
                _report(ex);
            }
            return _engine.Policies.Count;
        }
    }

    /// <summary>Reloads after changes settle, until disposed.</summary>
    public void Watch()
    {
        _reload = new Timer(_ => Load());
        _watcher = new FileSystemWatcher(Path) { IncludeSubdirectories = false, EnableRaisingEvents = false };
        _watcher.Changed += (_, _) => Schedule();
        _watcher.Created += (_, _) => Schedule();
        _watcher.Deleted += (_, _) => Schedule();
        _watcher.Renamed += (_, _) => Schedule();
        _watcher.EnableRaisingEvents = true;
    }

    public static IEnumerable<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml")).Order(StringComparer.Ordinal);

    private void Schedule() => _reload?.Change(Settle, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher?.Dispose();
        _reload?.Dispose();
    }
}
