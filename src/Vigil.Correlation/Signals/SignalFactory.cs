using Vigil.Events;

namespace Vigil.Correlation.Signals;

public static class SignalFactory
{
    public static Signal FromEvent(long id, VigilEvent e) => new()
    {
        Id = id,
        Time = e.Timestamp,
        Kind = SignalKind.Event,
        Name = EventJson.Name(e),
        Prior = Priors.Event,
        Entities = Entities.Of(e),
        Event = e,
    };

    /// <summary>A rule's detection on an event.</summary>
    public static Signal FromDetection(long id, string rule, string priority, string output, IReadOnlyList<string> tags, VigilEvent e) => new()
    {
        Id = id,
        Time = e.Timestamp,
        Kind = SignalKind.Detection,
        Name = rule,
        Prior = Priors.ForPriority(priority),
        Entities = Entities.Of(e),
        Event = e,
        Description = output,
        Tags = tags,
    };

    public static Signal FromAnomaly(long id, string name, double score, string description, VigilEvent e) => new()
    {
        Id = id,
        Time = e.Timestamp,
        Kind = SignalKind.Anomaly,
        Name = name,
        Prior = Priors.ForAnomaly(score),
        Entities = Entities.Of(e),
        Event = e,
        Description = description,
    };
}
