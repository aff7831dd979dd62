namespace Vigil.Guard.Rules;

/// <summary>
/// Everything the guard judges by, swapped in as a whole: allow and deny lists (allow wins),
/// ordered rules, the default action (drop = deny-all), enforce or monitor, and sampling.
/// Bans are not part of it: they change on their own and survive rule-set swaps.
/// </summary>
public sealed record RuleSet
{
    public bool Enforce { get; init; } = true;

    public GuardAction DefaultAction { get; init; } = GuardAction.Pass;

    /// <summary>1 in N judged packets goes to user space (auto-mitigation reads them); 0 = off.</summary>
    public uint SampleEvery { get; init; } = 64;

    public IReadOnlyList<Cidr> Allow { get; init; } = [];

    public IReadOnlyList<Cidr> Deny { get; init; } = [];

    public IReadOnlyList<GuardRule> Rules { get; init; } = [];

    /// <summary>Every problem at once, each naming where it is; empty when the set can be compiled.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        if (DefaultAction == GuardAction.Limit)
        {
            problems.Add("default: must be pass or drop");
        }
        if (Rules.Count > GuardLimits.MaxRules)
        {
            problems.Add($"rules: {Rules.Count} rules, at most {GuardLimits.MaxRules}");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Rules.Count; i++)
        {
            GuardRule r = Rules[i];
            string where = $"rules[{i}] ({r.Name})";
            if (string.IsNullOrWhiteSpace(r.Name) || System.Text.Encoding.UTF8.GetByteCount(r.Name) > 23)
            {
                problems.Add($"{where}: name must be 1 to 23 bytes");
            }
            else if (!names.Add(r.Name))
            {
                problems.Add($"{where}: name is used twice");
            }
            if (r.PortLow > r.PortHigh)
            {
                problems.Add($"{where}: port range {r.PortLow}-{r.PortHigh} is empty");
            }
            if (r.HasPorts && r.Protocol is not (RuleProtocols.Tcp or RuleProtocols.Udp))
            {
                problems.Add($"{where}: ports need protocol tcp or udp");
            }
            if (r.TcpFlagsMask != 0 && r.Protocol != RuleProtocols.Tcp)
            {
                problems.Add($"{where}: tcp-flags need protocol tcp");
            }
            if (r.IcmpType is not null && r.Protocol is not (RuleProtocols.Icmp or RuleProtocols.Icmpv6))
            {
                problems.Add($"{where}: icmp-type needs protocol icmp or icmpv6");
            }
            if (r.Action == GuardAction.Limit)
            {
                if (r.RatePps == 0 || r.RatePps > 100_000_000)
                {
                    problems.Add($"{where}: rate must be 1 to 100000000 packets/s");
                }
                if (r.LimitPrefixV4 is < 8 or > 32 || r.LimitPrefixV6 is < 16 or > 128)
                {
                    problems.Add($"{where}: per-prefix must be 8-32 (IPv4) and 16-128 (IPv6), so a flood cannot make unbounded state");
                }
            }
            else if (r.RatePps != 0 || r.Burst != 0)
            {
                problems.Add($"{where}: rate and burst only apply to action limit");
            }
        }
        return problems;
    }
}
