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
        var ancestors = new List<ExecId>();
        for (ProcessInfo? p = context?.Parent; p is not null && ancestors.Count < 16; p = p.Parent)
        {
            ancestors.Add(p.ExecId);
        }
        if (ancestors.Count == 0 && !e.Process.ParentExecId.IsEmpty)
        {
            ancestors.Add(e.Process.ParentExecId);
        }
        ContainerInfo? container = context?.Container;
        var entities = new Entities
        {
            Process = e.Process.ExecId,
            Ancestors = ancestors,
            Binary = context?.Binary ?? "",
            Container = container is { IsHost: false } ? container.Id : null,
            User = e.Process.EffectiveUid,
        };
        return e switch
        {
            ProcessExecEvent exec => entities with { Binary = exec.Binary, File = exec.Binary },
            FileEvent file => entities with
            {
                File = file.TargetPath.Length > 0 ? file.TargetPath : file.Path,
                FileWritten = (file.Intent & (FileIntent.Write | FileIntent.Create | FileIntent.Truncate)) != 0
                    || file.Syscall.StartsWith("chmod", StringComparison.Ordinal) || file.Syscall.StartsWith("rename", StringComparison.Ordinal)
                    || file.Syscall.Contains("link", StringComparison.Ordinal),
            },
            NetworkEvent net => entities with { RemoteAddress = Peer(net.Direction == NetworkDirection.Outbound ? net.DestinationAddress : net.SourceAddress) },
            _ => entities,
        };
    }

    private static IPAddress? Peer(IPAddress address)
    {
        IPAddress a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) ? null : a;
    }
}
