using System.Text.Json.Serialization;

namespace Vigil.Fleet;

/// <summary>Source-generated JSON for the fleet's own messages.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ThreatIndicator))]
[JsonSerializable(typeof(IndicatorReport))]
[JsonSerializable(typeof(NodeHeartbeat))]
[JsonSerializable(typeof(RevisionReport))]
internal sealed partial class FleetJson : JsonSerializerContext;
