using Vigil.Agent.Pipeline;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Api;

/// <summary>
/// The agent's recent past in memory, for the API while no edge store answers history queries:
/// the last N events, the last detections, and the latest revision of each incident. Bounded
/// everywhere; the oldest go first.
/// </summary>
public sealed class RecentActivity : ConclusionQueue, IHistory
{
    public const int MaxDetections = 10_000;
    public const int MaxIncidents = 1_000;

    private readonly VigilEvent?[] _events;
    private readonly Queue<RuleDetection> _detections = new();
    private readonly Dictionary<string, IncidentReport> _incidents = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _written;

    public RecentActivity(int events, int capacity = 65536)
        : base("api", capacity)
    {
        _events = new VigilEvent?[events];
        StartDraining();
    }

    protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        lock (_lock)
        {
            foreach (object record in batch)
            {
                switch (record)
                {
                    case VigilEvent e:
                        _events[_written++ % _events.Length] = e;
                        break;
                    case RuleDetection d:
                        if (_detections.Count == MaxDetections)
                        {
                            _detections.Dequeue();
                        }
                        _detections.Enqueue(d);
                        break;
                    case IncidentReport i:
                        Remember(i);
                        break;
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    private void Remember(IncidentReport incident)
    {
        if (!_incidents.ContainsKey(incident.Id) && _incidents.Count == MaxIncidents)
        {
            // Forget the incident that has been quiet longest, closed ones first.
            string oldest = _incidents.Values.OrderBy(i => i.Status == IncidentStatus.Open).ThenBy(i => i.LastSeen).First().Id;
            _incidents.Remove(oldest);
        }
        if (!_incidents.TryGetValue(incident.Id, out IncidentReport? known) || known.Revision <= incident.Revision)
        {
            _incidents[incident.Id] = incident;
        }
    }

    public IReadOnlyList<JsonRecord> Events(EventFilter filter) =>
        [.. Find(filter.Matches).Select(Record).Where(r => filter.MatchesText(r.Json)).Take(filter.Limit)];

    public IReadOnlyList<JsonRecord> EventsOf(string execId, int limit) =>
        [.. Find(e => e.Process.ExecId.ToString() == execId).Take(limit).Select(Record)];

    public IReadOnlyList<JsonRecord> Detections(int limit)
    {
        lock (_lock)
        {
            return [.. _detections.Reverse().Take(limit).Select(d => new JsonRecord("detection", ApiJson.Text(w => DetectionJson.Write(w, d))))];
        }
    }

    public IReadOnlyList<JsonRecord> Incidents(int limit)
    {
        lock (_lock)
        {
            return [.. _incidents.Values.OrderByDescending(i => i.LastSeen).Take(limit).Select(Record)];
        }
    }

    public JsonRecord? Incident(string id)
    {
        lock (_lock)
        {
            return _incidents.TryGetValue(id, out IncidentReport? incident) ? Record(incident) : null;
        }
    }

    private static JsonRecord Record(VigilEvent e) => new(EventJson.Name(e), ApiJson.Event(e));

    private static JsonRecord Record(IncidentReport i) => new("incident", ApiJson.Text(w => IncidentJson.Write(w, i)));

    /// <summary>Events matching <paramref name="match"/>, newest first (lazily: callers take what they need).</summary>
    private IEnumerable<VigilEvent> Find(Func<VigilEvent, bool> match)
    {
        List<VigilEvent> snapshot;
        lock (_lock)
        {
            long oldest = Math.Max(0, _written - _events.Length);
            snapshot = new List<VigilEvent>((int)(_written - oldest));
            for (long n = _written - 1; n >= oldest; n--)
            {
                snapshot.Add(_events[n % _events.Length]!);
            }
        }
        return snapshot.Where(match);
    }
}
