namespace Vigil.Agent.Api;

/// <summary>A policy in force in a running agent, as its API lists it.</summary>
public sealed record PolicySummary(string Name, string Mode, string Origin, string Source, int Rules);
