using Vigil.Correlation.Signals;

namespace Vigil.Correlation.Incidents;

/// <summary>An incident as the correlator grows it: its signals, the causal edges between them, and what is missing.</summary>
internal sealed class IncidentState(string id)
{
    public string Id { get; } = id;

    private readonly Dictionary<long, Signal> _byId = [];

    /// <summary>The signals, kept in time order by the correlator; change them only through this class's methods.</summary>
    public List<Signal> Signals { get; } = [];

    /// <summary>The signals by id, kept with them: every revision and sequence completion looks ids up.</summary>
    public IReadOnlyDictionary<long, Signal> ById => _byId;

    public List<CausalEdge> Edges { get; } = [];

    public HashSet<string> Missing { get; } = [];

    /// <summary>Signals that were steps of a completed sequence, with the step each took ("sequence: step"): they may be
    /// the root cause even when plain events.</summary>
    public Dictionary<long, string> SequenceSteps { get; } = [];

    /// <summary>Plain events left out because the incident reached its evidence cap.</summary>
    public long EvidenceDropped { get; set; }

    /// <summary>Findings left out between the first and the most recent ones (<see cref="CapFindings"/>), by name.</summary>
    public Dictionary<string, long> FindingsOmitted { get; } = new(StringComparer.Ordinal);

    /// <summary>How many of <see cref="Signals"/> are findings: checked against the cap on every signal.</summary>
    private int _findingCount;

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
        _byId[signal.Id] = signal;
        if (signal.Kind != SignalKind.Event)
        {
            _findingCount++;
        }
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
        foreach (Signal s in other.Signals)
        {
            _byId[s.Id] = s;
        }
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
        _findingCount += other._findingCount;
        foreach ((string name, long omitted) in other.FindingsOmitted)
        {
            FindingsOmitted[name] = FindingsOmitted.GetValueOrDefault(name) + omitted;
        }
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
            _byId.Remove(s.Id);
            return true;
        });
        Edges.RemoveAll(e => dropped.Contains(e.From) || dropped.Contains(e.To));
        EvidenceDropped += dropped.Count;
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> findings: the first half in time order and the most recent
    /// ones. Those in between go, oldest first, with the edges that touched them, counted by name. The
    /// root cause never goes: it is the earliest finding nothing earlier explains, and dropping later
    /// findings takes no explanation away from it.
    /// </summary>
    public void CapFindings(int max)
    {
        int excess = _findingCount - max;
        if (excess <= 0)
        {
            return;
        }
        List<Signal> timeline = IncidentReports.Timeline(this);
        Signal root = IncidentReports.RootCause(this, timeline);
        var omitted = new HashSet<long>(excess);
        int first = max / 2;
        foreach (Signal s in timeline)
        {
            if (omitted.Count == excess)
            {
                break;
            }
            if (s.Kind == SignalKind.Event)
            {
                continue;
            }
            if (first > 0)
            {
                first--;
                continue;
            }
            if (s.Id == root.Id)
            {
                continue;
            }
            omitted.Add(s.Id);
            _byId.Remove(s.Id);
            SequenceSteps.Remove(s.Id);
            FindingsOmitted[s.Name] = FindingsOmitted.GetValueOrDefault(s.Name) + 1;
        }
        Signals.RemoveAll(s => omitted.Contains(s.Id));
        Edges.RemoveAll(e => omitted.Contains(e.From) || omitted.Contains(e.To));
        _findingCount -= omitted.Count;
    }
}
