using System.Runtime.InteropServices;

namespace Vigil.Sensors.Network;

/// <summary>Compares flow keys by their bytes, as the kernel's hash map does.</summary>
internal sealed class FlowKeyComparer : IEqualityComparer<FlowKey>
{
    public static FlowKeyComparer Instance { get; } = new();

    public bool Equals(FlowKey x, FlowKey y) => Bytes(x).SequenceEqual(Bytes(y));

    public int GetHashCode(FlowKey key)
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes(key));
        return hash.ToHashCode();
    }

    private static ReadOnlySpan<byte> Bytes(in FlowKey key) => MemoryMarshal.AsBytes(new ReadOnlySpan<FlowKey>(in key));
}
