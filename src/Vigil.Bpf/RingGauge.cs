namespace Vigil.Bpf;

/// <summary>How full one ring of a <see cref="RingBufferReader"/> is, for load decisions; readable from any thread.</summary>
public sealed class RingGauge
{
    private readonly MappedRing _ring;

    internal RingGauge(MappedRing ring) => _ring = ring;

    public string Name => _ring.Name;

    /// <summary>Share of the ring holding records the reader has not consumed yet (0 to 1).</summary>
    public double Fill => _ring.Fill;
}
