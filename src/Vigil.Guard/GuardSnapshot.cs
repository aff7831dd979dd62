using Vigil.Guard.Rules;

namespace Vigil.Guard;

/// <summary>A counter slot, named: a fixed verdict (allow, deny, ban, ...) or a rule.</summary>
public sealed record GuardCounterRow(string Name, GuardCounter Counter);

/// <summary>A ban in force (or expired and not yet reaped).</summary>
public sealed record GuardBan(Cidr Cidr, DateTime? Expires, bool Automatic)
{
    public bool IsExpired(DateTime now) => Expires is { } e && e <= now;
}

/// <summary>What is in force: mode, rules, list sizes, bans, attached interfaces.</summary>
public sealed record GuardSnapshot
{
    public required int Generation { get; init; }
    public required bool Enforce { get; init; }
    public required GuardAction DefaultAction { get; init; }
    public required uint SampleEvery { get; init; }
    public required IReadOnlyList<GuardRule> Rules { get; init; }
    public required IReadOnlyList<Cidr> Allow { get; init; }
    public required IReadOnlyList<Cidr> Deny { get; init; }
    public required IReadOnlyList<GuardBan> Bans { get; init; }
    public required IReadOnlyList<string> Interfaces { get; init; }
}
