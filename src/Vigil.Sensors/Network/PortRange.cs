namespace Vigil.Sensors.Network;

/// <summary>An inclusive range of ports; one port is a range of one.</summary>
public readonly record struct PortRange(ushort First, ushort Last)
{
    public static PortRange Single(ushort port) => new(port, port);

    public bool Contains(ushort port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}
