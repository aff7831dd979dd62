namespace Vigil.Agent.Api;

/// <summary>One record as the API serves it: its event name (or "detection", "incident") and its JSON object.</summary>
public readonly record struct JsonRecord(string Name, string Json);

/// <summary>
/// What the history routes read: the edge store when the agent keeps one (<see cref="StoredHistory"/>),
/// else the agent's memory of its recent past (<see cref="RecentActivity"/>). Newest first.
/// </summary>
public interface IHistory
{
    IReadOnlyList<JsonRecord> Events(EventFilter filter);

    IReadOnlyList<JsonRecord> EventsOf(string execId, int limit);

    IReadOnlyList<JsonRecord> Detections(int limit);

    IReadOnlyList<JsonRecord> Incidents(int limit);

    JsonRecord? Incident(string id);
}
