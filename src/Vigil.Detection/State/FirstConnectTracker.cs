using System.Collections.Concurrent;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Detection.State;

/// <summary>
/// Remembers which binaries have made an outbound connection, so the first one of each binary
/// stands out: the field vigil.first_connect. Keyed by executable path, not pid, because a
/// binary's habits outlive its processes. Bounded: past <see cref="Capacity"/> binaries it stops
/// learning and reports no first connections rather than evicting and re-alerting.
/// </summary>
public sealed class FirstConnectTracker(int capacity = 65_536)
{
    private readonly ConcurrentDictionary<string, byte> _connected = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity;

    public int Count => _connected.Count;

    public void Observe(EventContext context)
    {
        if (context.Event is not NetworkEvent { Direction: NetworkDirection.Outbound } net
            || !net.Syscall.Equals("connect", StringComparison.Ordinal))
        {
            return;
        }
        string? binary = net.Context?.Binary;
        if (string.IsNullOrEmpty(binary))
        {
            // Unknown binary: the field stays missing, so rules on it do not fire on guesswork.
            return;
        }
        context.FirstConnect = !_connected.ContainsKey(binary) && _connected.Count < Capacity && _connected.TryAdd(binary, 0);
    }
}
