using System.Net;
using Vigil.Events;

namespace Vigil.Correlation.Signals;

/// <summary>
/// What a signal is about: the keys incidents are joined on. Ancestors are nearest first and hold
/// exec ids, so pid reuse never links unrelated processes.
/// </summary>
public sealed record Entities
{
    public ExecId Process { get; init; }

    public IReadOnlyList<ExecId> Ancestors { get; init; } = [];

    public string Binary { get; init; } = "";

    /// <summary>Container id, or null on the host (the host is not a shared entity: everything runs there).</summary>
    public string? Container { get; init; }

    public uint User { get; init; }

    /// <summary>The peer's address, or null for loopback and unspecified ones (every local client and server shares them).</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>A file the signal wrote, read or executed.</summary>
    public string? File { get; init; }

    /// <summary>True when the file was written (so a later exec or read of it is causally linked).</summary>
    public bool FileWritten { get; init; }

    public static Entities Of(VigilEvent e)
    {
        ProcessInfo? context = e.Context;
        ContainerInfo? container = context?.Container;
        (string? file, bool written, IPAddress? remote) = e switch
        {
            ProcessExecEvent exec => (exec.Binary, false, null),
            FileEvent f => (f.TargetPath.Length > 0 ? f.TargetPath : f.Path, Writes(f), null),
            NetworkEvent net => ((string?)null, false, Peer(net.Direction == NetworkDirection.Outbound ? net.DestinationAddress : net.SourceAddress)),
            _ => (null, false, null),
        };
        return new Entities
        {
            Process = e.Process.ExecId,
            Ancestors = AncestorsOf(e),
            Binary = e is ProcessExecEvent x ? x.Binary : context?.Binary ?? "",
            Container = container is { IsHost: false } ? container.Id : null,
            User = e.Process.EffectiveUid,
            RemoteAddress = remote,
            File = file,
            FileWritten = written,
        };
    }

    private const int MaxAncestors = 16;

    /// <summary>Nearest first, sized exactly: built for every signal, so counted before it is filled.</summary>
    private static ExecId[] AncestorsOf(VigilEvent e)
    {
        int count = 0;
        for (ProcessInfo? p = e.Context?.Parent; p is not null && count < MaxAncestors; p = p.Parent)
        {
            count++;
        }
        if (count == 0)
        {
            return e.Process.ParentExecId.IsEmpty ? [] : [e.Process.ParentExecId];
        }
        var ancestors = new ExecId[count];
        ProcessInfo? ancestor = e.Context!.Parent;
        for (int i = 0; i < count; i++, ancestor = ancestor.Parent)
        {
            ancestors[i] = ancestor!.ExecId;
        }
        return ancestors;
    }

    private static bool Writes(FileEvent file) =>
        (file.Intent & (FileIntent.Write | FileIntent.Create | FileIntent.Truncate)) != 0
        || file.Syscall.StartsWith("chmod", StringComparison.Ordinal) || file.Syscall.StartsWith("rename", StringComparison.Ordinal)
        || file.Syscall.Contains("link", StringComparison.Ordinal);

    private static IPAddress? Peer(IPAddress address)
    {
        IPAddress a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) ? null : a;
    }
}
