using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// A rule that matched an event: what fired, how severe, the rendered output, every field the
/// rule's condition and output read with its value, and the event itself.
/// </summary>
public sealed record RuleDetection(
    string RuleName,
    RulePriority Priority,
    IReadOnlyList<string> Tags,
    string Output,
    IReadOnlyList<KeyValuePair<string, string>> Fields,
    VigilEvent Event,
    long EventNumber);
