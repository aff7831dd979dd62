using Vigil.Storage;

namespace Vigil.Agent.Api;

/// <summary>
/// History from the edge store the agent writes (read-only, one connection per query, so queries
/// run beside the writer). The text filter, which the store does not index, is applied to each
/// stored event's JSON.
/// </summary>
public sealed class StoredHistory(string path) : IHistory
{
    public IReadOnlyList<JsonRecord> Events(EventFilter filter)
    {
        var query = new EventQuery
        {
            Since = filter.Since,
            Type = filter.Type,
            Container = filter.Container,
            ProcessName = filter.Proc,
            Limit = filter.Text is null ? filter.Limit : EventFilter.MaxLimit,
        };
        using EdgeStore store = EdgeStore.OpenReadOnly(path);
        return [.. store.Events(query).Reverse()
            .Where(e => filter.MatchesText(e.Json))
            .Take(filter.Limit)
            .Select(e => new JsonRecord(e.Name, e.Json))];
    }

    public IReadOnlyList<JsonRecord> EventsOf(string execId, int limit)
    {
        using EdgeStore store = EdgeStore.OpenReadOnly(path);
        return [.. store.Events(new EventQuery { ExecId = execId, Limit = limit }).Reverse().Select(e => new JsonRecord(e.Name, e.Json))];
    }

    public IReadOnlyList<JsonRecord> Detections(int limit)
    {
        using EdgeStore store = EdgeStore.OpenReadOnly(path);
        return [.. store.Detections(new DetectionQuery { Limit = limit }).Reverse().Select(d => new JsonRecord("detection", d.Json))];
    }

    public IReadOnlyList<JsonRecord> Incidents(int limit)
    {
        using EdgeStore store = EdgeStore.OpenReadOnly(path);
        return [.. store.Incidents(limit: limit).Select(i => new JsonRecord("incident", i.Json))];
    }

    public JsonRecord? Incident(string id)
    {
        using EdgeStore store = EdgeStore.OpenReadOnly(path);
        return store.Incident(id) is { } incident ? new JsonRecord("incident", incident.Json) : null;
    }
}
