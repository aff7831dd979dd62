using System.Net;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Sequences;
using Vigil.Correlation.Signals;
using Vigil.Events;

namespace Vigil.Correlation;

/// <summary>
/// Groups signals into incidents keyed by shared entities (process tree, container, remote
/// address, written file), keeps a causal chain with a reason per edge, completes sequence rules,
/// and publishes an incident once it is worth attention: two linked findings, a completed sequence,
/// or one critical finding. Plain events only ever join incidents as evidence. Not thread-safe: one
/// correlator per pipeline thread.
/// </summary>
public sealed class Correlator
{
    private readonly CorrelatorOptions _options;
    private readonly SequenceMatcher _sequences;
    private readonly LinkedList<IncidentState> _open = new(); // most recently active last
    private readonly Dictionary<IncidentState, LinkedListNode<IncidentState>> _nodes = [];
    private readonly Dictionary<ExecId, Anchor> _byProcess = [];
    private readonly Dictionary<ExecId, Anchor> _byParent = [];
    private readonly Dictionary<string, Anchor> _byContainer = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, Anchor> _byRemote = [];
    private readonly Dictionary<string, Anchor> _byWrittenFile = new(StringComparer.Ordinal);
    private readonly List<Anchor> _candidates = [];
    private readonly List<(IncidentState Incident, CausalEdge Edge)> _others = [];
    private readonly Dictionary<string, IncidentReport> _published = new(StringComparer.Ordinal);
    private readonly List<IncidentState> _pending = []; // published incidents whose next revision is held back
    private long _nextSignal;
    private long _nextIncident;
    private DateTime _lastDrops = DateTime.MinValue;

    public Correlator(CorrelatorOptions options, IReadOnlyList<SequenceRule> sequences)
    {
        _options = options;
        _sequences = new SequenceMatcher(sequences);
    }

    /// <summary>Called with each new revision of a published incident (and when it closes).</summary>
    public event Action<IncidentReport>? IncidentUpdated;

    public long SignalsObserved { get; private set; }

    public long IncidentsEvicted { get; private set; }

    public long SequenceEvictions => _sequences.Evicted;

    public int OpenIncidents => _open.Count;

    /// <summary>The latest revision of every published incident; revisions held back are published first, so it is current.</summary>
    public IReadOnlyCollection<IncidentReport> Published
    {
        get
        {
            PublishPending(DateTime.MaxValue);
            return _published.Values;
        }
    }

    public long NextSignalId() => Interlocked.Increment(ref _nextSignal);

    /// <summary>A plain event: joins an incident it links to, or advances a sequence; otherwise costs a few lookups.</summary>
    public void ObserveEvent(VigilEvent e)
    {
        IncidentState? touched = Touched(e);
        if ((touched is null || touched.Signals.Count >= _options.MaxSignalsPerIncident) && !_sequences.WantsEvent(e))
        {
            if (touched is not null && e.Timestamp - touched.LastSeen <= _options.Window)
            {
                touched.EvidenceDropped++; // full: the evidence is counted, not kept
            }
            return;
        }
        Observe(SignalFactory.FromEvent(NextSignalId(), e));
    }

    /// <summary>Kernel drops reported by the sensors: incidents active around then say their evidence may be incomplete.</summary>
    public void ReportDrops(DateTime when, ulong dropped)
    {
        if (dropped == 0)
        {
            return;
        }
        _lastDrops = when;
        foreach (IncidentState incident in _open)
        {
            if (when - incident.LastSeen <= _options.Window)
            {
                incident.Missing.Add("kernel drops in this window: some events were lost");
            }
        }
    }

    public void Observe(Signal signal)
    {
        SignalsObserved++;
        IncidentState? incident = Join(signal);
        if (incident is null)
        {
            if (signal.Kind == SignalKind.Event && !_sequences.Wants(signal))
            {
                return;
            }
            if (signal.Kind != SignalKind.Event)
            {
                incident = Open(signal);
            }
        }
        bool completed = false;
        IReadOnlyList<SequenceMatch> matches = _sequences.Observe(signal);
        for (int i = 0; i < matches.Count; i++)
        {
            incident = Complete(matches[i], incident);
            completed = true;
        }
        if (incident is not null)
        {
            incident.CapFindings(_options.MaxFindingsPerIncident);
            Touch(incident);
            // Evidence alone does not make a new revision: the next finding's revision, or the closing one, carries it.
            if (signal.Kind != SignalKind.Event || completed)
            {
                Report(incident);
            }
        }
    }

    /// <summary>
    /// Publishes the revisions held back whose interval is over and closes incidents idle for longer
    /// than the options allow (their last revision says so); returns how many closed.
    /// </summary>
    public int CloseIdle(DateTime now)
    {
        _sequences.Expire(now);
        PublishPending(now);
        int closed = 0;
        while (_open.First is { } oldest && now - oldest.Value.LastSeen > _options.IdleClose)
        {
            Remove(oldest.Value);
            oldest.Value.Closed = true;
            Publish(oldest.Value);
            closed++;
        }
        return closed;
    }

    private void PublishPending(DateTime now)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        foreach (IncidentState incident in _pending)
        {
            if (incident.RevisionPending && now - incident.RevisedAt >= _options.RevisionInterval)
            {
                Publish(incident);
            }
        }
        _pending.RemoveAll(static i => !i.RevisionPending);
    }

    private IncidentState? Join(Signal signal)
    {
        IncidentState? best = null;
        CausalEdge? bestEdge = null;
        _others.Clear();
        foreach (Anchor anchor in Candidates(signal.Entities, finding: signal.Kind != SignalKind.Event))
        {
            IncidentState candidate = anchor.Incident;
            if (signal.Time - candidate.LastSeen > _options.Window || candidate.Closed)
            {
                continue;
            }
            if (signal.Kind == SignalKind.Event && candidate.Signals.Count >= _options.MaxSignalsPerIncident)
            {
                candidate.EvidenceDropped++; // full: not worth comparing against
                return candidate;
            }
            // Evidence links to the signal that put the shared key in the index; findings look for their strongest cause.
            CausalEdge? edge = signal.Kind == SignalKind.Event ? CausalLinker.Link(anchor.Signal, signal) : StrongestLink(candidate, signal);
            if (edge is null)
            {
                continue;
            }
            if (bestEdge is null || edge.Strength > bestEdge.Strength)
            {
                if (best is not null)
                {
                    _others.Add((best, bestEdge!));
                }
                best = candidate;
                bestEdge = edge;
            }
            else if (candidate != best)
            {
                _others.Add((candidate, edge));
            }
        }
        if (best is null)
        {
            return null;
        }
        foreach ((IncidentState other, CausalEdge bridge) in _others)
        {
            Merge(best, other, bridge);
        }
        best.Add(signal, bestEdge);
        Index(best, signal);
        if (_others.Count > 0)
        {
            best.Trim(_options.MaxSignalsPerIncident);
        }
        return best;
    }

    private CausalEdge? StrongestLink(IncidentState incident, Signal signal)
    {
        Signal? from = null;
        (EdgeReason Reason, double Strength) best = default;
        int start = Math.Max(0, incident.Signals.Count - _options.LinkLookback);
        for (int i = incident.Signals.Count - 1; i >= start; i--)
        {
            Signal earlier = incident.Signals[i];
            if (earlier.Time <= signal.Time && CausalLinker.Strongest(earlier, signal) is var link && link.Strength > best.Strength)
            {
                (from, best) = (earlier, link);
            }
        }
        return from is null ? null
            : new CausalEdge(from.Id, signal.Id, best.Reason, best.Strength, from.Entities, signal.Entities);
    }

    /// <summary>
    /// Incidents sharing a key with the entities, each with the signal that put the key there. A shared
    /// parent or container links findings, never plain events: the children of a supervisor or a CI runner,
    /// or everything in a busy container, would otherwise be one incident. Evidence joins through its own
    /// process lineage, a written file or a remote address.
    /// </summary>
    private List<Anchor> Candidates(Entities e, bool finding)
    {
        _candidates.Clear();
        void Add(Anchor anchor)
        {
            foreach (Anchor known in _candidates)
            {
                if (known.Incident == anchor.Incident)
                {
                    return;
                }
            }
            _candidates.Add(anchor);
        }
        if (_byProcess.TryGetValue(e.Process, out Anchor byProcess))
        {
            Add(byProcess);
        }
        for (int i = 0; i < e.Ancestors.Count; i++)
        {
            if (_byProcess.TryGetValue(e.Ancestors[i], out Anchor byAncestor))
            {
                Add(byAncestor);
            }
        }
        if (finding && CausalLinker.SharedParent(e) is { } parent && _byParent.TryGetValue(parent, out Anchor bySibling))
        {
            Add(bySibling);
        }
        if (finding && e.Container is not null && _byContainer.TryGetValue(e.Container, out Anchor byContainer))
        {
            Add(byContainer);
        }
        if (e.RemoteAddress is not null && _byRemote.TryGetValue(e.RemoteAddress, out Anchor byRemote))
        {
            Add(byRemote);
        }
        if (e.File is not null && _byWrittenFile.TryGetValue(e.File, out Anchor byFile))
        {
            Add(byFile);
        }
        return _candidates;
    }

    /// <summary>An open incident a raw event shares a key with, found without allocating; null when none.</summary>
    private IncidentState? Touched(VigilEvent e)
    {
        if (_open.Count == 0)
        {
            return null;
        }
        if (_byProcess.TryGetValue(e.Process.ExecId, out Anchor a) || _byProcess.TryGetValue(e.Process.ParentExecId, out a))
        {
            return a.Incident;
        }
        for (ProcessInfo? p = e.Context?.Parent; p is not null; p = p.Parent)
        {
            if (_byProcess.TryGetValue(p.ExecId, out a))
            {
                return a.Incident;
            }
        }
        bool found = e switch
        {
            NetworkEvent net => _byRemote.TryGetValue(net.Direction == NetworkDirection.Outbound ? net.DestinationAddress : net.SourceAddress, out a),
            FileEvent file => _byWrittenFile.TryGetValue(file.Path, out a),
            ProcessExecEvent exec => _byWrittenFile.TryGetValue(exec.Binary, out a),
            _ => false,
        };
        return found ? a.Incident : null;
    }

    private IncidentState Open(Signal signal)
    {
        var incident = new IncidentState($"inc-{BootStamp}-{Interlocked.Increment(ref _nextIncident)}");
        incident.Add(signal, null);
        if (signal.Time - _lastDrops <= _options.Window)
        {
            incident.Missing.Add("kernel drops in this window: some events were lost");
        }
        _nodes[incident] = _open.AddLast(incident);
        Index(incident, signal);
        while (_open.Count > _options.MaxOpenIncidents)
        {
            IncidentState evicted = _open.First!.Value;
            if (evicted.RevisionPending)
            {
                Publish(evicted);
            }
            Remove(evicted);
            IncidentsEvicted++;
        }
        return incident;
    }

    private IncidentState? Complete(SequenceMatch match, IncidentState? incident)
    {
        // Every step belongs in one incident: merge the incidents the steps landed in, add the steps that had none.
        incident ??= match.Steps.Select(s => IncidentOf(s)).FirstOrDefault(i => i is not null) ?? Open(match.Steps[0]);
        for (int i = 0; i < match.Steps.Count; i++)
        {
            Signal step = match.Steps[i];
            IncidentState? holder = IncidentOf(step);
            if (holder is null)
            {
                incident.Add(step, null);
                Index(incident, step);
            }
            else if (holder != incident)
            {
                Merge(incident, holder, bridge: null); // the step edge below links them
            }
            incident.SequenceSteps.TryAdd(step.Id, $"{match.Rule.Name}: {StepName(match, i)}");
            if (i > 0)
            {
                incident.Edges.Add(new CausalEdge(match.Steps[i - 1].Id, step.Id, EdgeReason.SequenceStep, 1,
                    $"{match.Rule.Name}: {StepName(match, i - 1)} -> {StepName(match, i)}"));
            }
        }
        incident.Signals.Sort((x, y) => x.Time.CompareTo(y.Time));
        Signal last = match.Steps[^1];
        var sequence = new Signal
        {
            Id = NextSignalId(),
            Time = last.Time,
            Kind = SignalKind.Sequence,
            Name = match.Rule.Name,
            Prior = Priors.Sequence,
            Entities = last.Entities,
            Description = match.Rule.Title,
        };
        incident.Add(sequence, new CausalEdge(last.Id, sequence.Id, EdgeReason.SequenceStep, 1, $"{match.Rule.Name} completed"));
        incident.Trim(_options.MaxSignalsPerIncident);
        return incident;
    }

    /// <summary>The step a matched signal took: the first that takes it, the last for later ones (steps are in order).</summary>
    private static string StepName(SequenceMatch match, int i) => i == 0
        ? match.Rule.Steps.First(s => s.Matches(match.Steps[0])).Name
        : match.Rule.Steps.Last(s => s.Matches(match.Steps[i])).Name;

    private IncidentState? IncidentOf(Signal s) =>
        _open.FirstOrDefault(i => i.ById.ContainsKey(s.Id));

    private void Merge(IncidentState into, IncidentState other, CausalEdge? bridge)
    {
        if (into == other)
        {
            return;
        }
        Remove(other);
        into.Absorb(other, bridge);
        foreach (Signal s in other.Signals)
        {
            Index(into, s);
        }
        if (other.Published)
        {
            _published.Remove(other.Id);
        }
        if (other.RevisionPending)
        {
            other.RevisionPending = false;
            Hold(into); // what was waiting in the other now waits in this one
        }
    }

    private void Index(IncidentState incident, Signal s)
    {
        Entities e = s.Entities;
        var anchor = new Anchor(incident, s);
        if (!e.Process.IsEmpty)
        {
            _byProcess[e.Process] = anchor;
        }
        if (s.Kind != SignalKind.Event && CausalLinker.SharedParent(e) is { } parent)
        {
            _byParent[parent] = anchor; // siblings are looked up by findings only (Candidates)
        }
        if (e.Container is not null)
        {
            _byContainer[e.Container] = anchor;
        }
        if (e.RemoteAddress is not null)
        {
            _byRemote[e.RemoteAddress] = anchor;
        }
        if (e.FileWritten && e.File is not null)
        {
            _byWrittenFile[e.File] = anchor;
        }
    }

    private void Touch(IncidentState incident)
    {
        if (_nodes.TryGetValue(incident, out var node))
        {
            _open.Remove(node);
            _open.AddLast(node);
        }
    }

    private void Remove(IncidentState incident)
    {
        if (_nodes.Remove(incident, out var node))
        {
            _open.Remove(node);
        }
        RemoveFrom(_byProcess, incident);
        RemoveFrom(_byParent, incident);
        RemoveFrom(_byContainer, incident);
        RemoveFrom(_byRemote, incident);
        RemoveFrom(_byWrittenFile, incident);
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, Anchor> index, IncidentState incident) where TKey : notnull
    {
        foreach (TKey key in index.Where(kv => kv.Value.Incident == incident).Select(kv => kv.Key).ToList())
        {
            index.Remove(key);
        }
    }

    /// <summary>A finding changed the incident: a new revision now, or held back while the last one is recent.</summary>
    private void Report(IncidentState incident)
    {
        if (incident.Published && incident.LastSeen - incident.RevisedAt < _options.RevisionInterval)
        {
            Hold(incident);
            return;
        }
        Publish(incident);
    }

    private void Hold(IncidentState incident)
    {
        if (incident.Published && !incident.RevisionPending)
        {
            incident.RevisionPending = true;
            _pending.Add(incident);
        }
    }

    private void Publish(IncidentState incident)
    {
        if (!incident.Published && !WorthPublishing(incident))
        {
            return;
        }
        incident.Published = true;
        incident.Revision++;
        incident.RevisedAt = incident.LastSeen;
        incident.RevisionPending = false;
        IncidentReport report = IncidentReports.Build(incident);
        _published[incident.Id] = report;
        IncidentUpdated?.Invoke(report);
    }

    /// <summary>A sequence, a finding strong alone, or two different findings (a rule repeating on one process is one, as in the confidence).</summary>
    private bool WorthPublishing(IncidentState incident)
    {
        Signal? first = null;
        bool second = false;
        foreach (Signal s in incident.Findings)
        {
            if (s.Kind == SignalKind.Sequence || s.Prior >= _options.PublishAlonePrior)
            {
                return true;
            }
            first ??= s;
            second |= s.Name != first.Name || s.Entities.Process != first.Entities.Process;
        }
        return second && incident.Edges.Count > 0;
    }

    /// <summary>An index entry: the incident, and the signal whose entity put the key there.</summary>
    private readonly record struct Anchor(IncidentState Incident, Signal Signal);

    private static readonly string BootStamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
}
