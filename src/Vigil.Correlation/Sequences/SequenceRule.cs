using Vigil.Correlation.Signals;
using Vigil.Events;

namespace Vigil.Correlation.Sequences;

/// <summary>One step: what it matches (detections by rule name, anomalies by name, or plain events by condition) and how it joins the previous step.</summary>
public sealed record SequenceStep
{
    public required string Name { get; init; }

    /// <summary>Detection rule names or anomaly names this step accepts.</summary>
    public IReadOnlySet<string> Findings { get; init; } = new HashSet<string>();

    /// <summary>Compiled condition (Falco language) over plain events; null when the step matches findings only.</summary>
    public Func<VigilEvent, bool>? EventCondition { get; init; }

    /// <summary>The evt.type values the condition can match; null when it may match any type.</summary>
    public IReadOnlySet<string>? EventTypes { get; init; }

    public StepJoin Join { get; init; }

    public bool Optional { get; init; }

    public bool Matches(Signal s) => s.Kind == SignalKind.Event
        ? EventCondition is not null && s.Event is not null && EventCondition(s.Event)
        : Findings.Contains(s.Name);
}

/// <summary>Ordered steps within a time window, each joined to the one before by a shared entity.</summary>
public sealed record SequenceRule
{
    public required string Name { get; init; }

    public required string Title { get; init; }

    public required string Priority { get; init; }

    public required TimeSpan Within { get; init; }

    public required IReadOnlyList<SequenceStep> Steps { get; init; }

    /// <summary>Where it was defined (file:line), for reports and errors.</summary>
    public string Source { get; init; } = "";
}
