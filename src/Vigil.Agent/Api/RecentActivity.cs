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
public sealed class RecentActivity : ConclusionQueue
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

    /// <summary>Events matching <paramref name="match"/>, newest first, at most <paramref name="limit"/>.</summary>
    public List<VigilEvent> Events(Func<VigilEvent, bool> match, int limit)
    {
        var found = new List<VigilEvent>();
        lock (_lock)
        {
            long oldest = Math.Max(0, _written - _events.Length);
            for (long n = _written - 1; n >= oldest && found.Count < limit; n--)
            {
                if (_events[n % _events.Length] is { } e && match(e))
                {
                    found.Add(e);
                }
            }
        }
        return found;
    }

    /// <summary>Detections, newest first.</summary>
    public List<RuleDetection> Detections(int limit)
    {
        lock (_lock)
        {
            return [.. _detections.Reverse().Take(limit)];
        }
    }

    /// <summary>The latest revision of each incident, most recently active first.</summary>
    public List<IncidentReport> Incidents()
    {
        lock (_lock)
        {
            return [.. _incidents.Values.OrderByDescending(i => i.LastSeen)];
        }
    }

    public IncidentReport? Incident(string id)
    {
        lock (_lock)
        {
            return _incidents.GetValueOrDefault(id);
        }
    }
}
