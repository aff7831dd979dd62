using Vigil.Sensors.File;
using Vigil.Sensors.Privilege;

namespace Vigil.Policy;

/// <summary>Which sensor judges an event type.</summary>
public enum EventFamily
{
    File,
    Privilege,
    Network,
}

/// <summary>The event types policies name, by the sensor that judges them.</summary>
public static class EventTypes
{
    /// <summary>Network event types: outbound connections and accepted ones.</summary>
    public static IReadOnlyList<string> Network { get; } = ["connect", "accept"];

    public static IEnumerable<string> All =>
        FileSyscalls.EventTypes.Keys.Concat(PrivilegeSyscalls.EventTypes.Keys).Concat(Network);

    /// <summary>The family a judging sensor (by its name) judges.</summary>
    public static EventFamily? FamilyOfSensor(string sensor) => sensor switch
    {
        "file" => EventFamily.File,
        "privilege" => EventFamily.Privilege,
        _ => null,
    };

    public static EventFamily? FamilyOf(string eventType) =>
        FileSyscalls.EventTypes.ContainsKey(eventType) ? EventFamily.File
        : PrivilegeSyscalls.EventTypes.ContainsKey(eventType) ? EventFamily.Privilege
        : Network.Contains(eventType) ? EventFamily.Network
        : null;
}
