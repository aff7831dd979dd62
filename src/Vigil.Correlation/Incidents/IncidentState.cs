using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

/// <summary>An incident as the correlator grows it: its signals, the causal edges between them, and what is missing.</summary>
internal sealed class IncidentState(string id)
{
    public string Id { get; } = id;

    public List<Signal> Signals { get; } = [];

    public List<CausalEdge> Edges { get; } = [];

    public HashSet<string> Missing { get; } = [];

    /// <summary>Signals that were steps of a completed sequence, with the step each took ("sequence: step"): they may be
    /// the root cause even when plain events.</summary>
    public Dictionary<long, string> SequenceSteps { get; } = [];

    /// <summary>Plain events left out because the incident reached its evidence cap.</summary>
    public long EvidenceDropped { get; set; }

    public DateTime FirstSeen => Signals[0].Time;

    public DateTime LastSeen { get; set; }

    /// <summary>Published once it is worth an operator's attention; before that it is a candidate.</summary>
    public bool Published { get; set; }

    public bool Closed { get; set; }

    public int Revision { get; set; }

    /// <summary>Event time of the last published revision.</summary>
    public DateTime RevisedAt { get; set; }

    /// <summary>A change waits for the next revision (held back by the revision interval).</summary>
    public bool RevisionPending { get; set; }

    public IEnumerable<Signal> Findings => Signals.Where(s => s.Kind != SignalKind.Event);

    public void Add(Signal signal, CausalEdge? edge)
    {
        Signals.Add(signal);
        if (edge is not null)
        {
            Edges.Add(edge);
        }
        if (signal.Time > LastSeen)
        {
            LastSeen = signal.Time;
        }
        if (signal.Kind != SignalKind.Event && signal.Event?.Context is null && signal.Event is not null)
        {
            Missing.Add($"process context unknown for pid {signal.Event.Process.Pid}");
        }
        else if (signal.Kind != SignalKind.Event && signal.Entities.Ancestors.Count == 0)
        {
            Missing.Add($"parent process unknown for {signal.Name}");
        }
    }

    /// <summary>Takes over another incident (they turned out to share an entity).</summary>
    public void Absorb(IncidentState other, CausalEdge? bridge)
    {
        Signals.AddRange(other.Signals);
        Signals.Sort((x, y) => x.Time.CompareTo(y.Time));
        Edges.AddRange(other.Edges);
        if (bridge is not null)
        {
            Edges.Add(bridge);
        }
        Missing.UnionWith(other.Missing);
        foreach ((long id, string step) in other.SequenceSteps)
        {
            SequenceSteps.TryAdd(id, step);
        }
        EvidenceDropped += other.EvidenceDropped;
        Published |= other.Published;
        if (other.LastSeen > LastSeen)
        {
            LastSeen = other.LastSeen;
        }
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> signals by dropping the oldest plain events (never a
    /// finding or a sequence step) and the edges that touched them, counting what went: merged
    /// incidents would otherwise grow past the evidence cap, and every revision costs their size.
    /// </summary>
    public void Trim(int max)
    {
        int excess = Signals.Count - max;
        if (excess <= 0)
        {
            return;
        }
        var dropped = new HashSet<long>();
        Signals.RemoveAll(s =>
        {
            if (dropped.Count == excess || s.Kind != SignalKind.Event || SequenceSteps.ContainsKey(s.Id))
            {
                return false;
            }
            dropped.Add(s.Id);
            return true;
        });
        Edges.RemoveAll(e => dropped.Contains(e.From) || dropped.Contains(e.To));
        EvidenceDropped += dropped.Count;
    }
}
