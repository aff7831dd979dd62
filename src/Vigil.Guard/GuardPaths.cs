namespace Vigil.Guard;

/// <summary>
/// Where the guard's pinned state lives: ROOT/xdp/ holds the program, every map and one link per
/// interface. ROOT is /sys/fs/bpf/vigil unless VIGIL_BPF_PIN_ROOT or an option says otherwise
/// (tests use a root of their own, so they never touch a real agent's state).
/// </summary>
public sealed record GuardPaths(string Root)
{
    public const string DefaultRoot = "/sys/fs/bpf/vigil";
    public const string RootVariable = "VIGIL_BPF_PIN_ROOT";

    public static GuardPaths Default(string? root = null)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(RootVariable);
        return new(root ?? (string.IsNullOrEmpty(fromEnvironment) ? DefaultRoot : fromEnvironment));
    }

    public string Directory => Path.Combine(Root, "xdp");

    public string LinkDirectory => Path.Combine(Directory, "links");

    public string Program => Path.Combine(Directory, "program");

    public string Map(string name) => Path.Combine(Directory, name);

    public string Link(string iface) => Path.Combine(LinkDirectory, iface);
}
