using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Guard.Rules;

/// <summary>A rule set turned into map contents, checked against the maps' capacity.</summary>
internal sealed record CompiledRuleSet(
    List<(Cidr Cidr, GuardAction Action)> V4,
    List<(Cidr Cidr, GuardAction Action)> V6,
    RuleValue[] Rules,
    ConfigValue Config);

/// <summary>Validates a rule set and compiles it to what the data plane reads; nothing here touches the kernel.</summary>
internal static class RuleCompiler
{
    public static CompiledRuleSet Compile(RuleSet set, int capacityV4, int capacityV6)
    {
        List<string> problems = set.Problems();
        var v4 = new List<(Cidr, GuardAction)>();
        var v6 = new List<(Cidr, GuardAction)>();
        AddLists(set, v4, v6);
        if (v4.Count > capacityV4)
        {
            problems.Add($"allow/deny: {v4.Count} IPv4 prefixes, the map holds {capacityV4} per rule set");
        }
        if (v6.Count > capacityV6)
        {
            problems.Add($"allow/deny: {v6.Count} IPv6 prefixes, the map holds {capacityV6} per rule set");
        }
        if (problems.Count > 0)
        {
            throw RuleSetException.From("rule set", problems);
        }
        var config = new ConfigValue
        {
            RuleCount = (uint)set.Rules.Count,
            DefaultAction = (uint)set.DefaultAction,
            Enforce = set.Enforce ? 1u : 0u,
            SampleEvery = set.SampleEvery,
        };
        return new CompiledRuleSet(v4, v6, [.. set.Rules.Select(Rule)], config);
    }

    /// <summary>
    /// One trie for both lists, with "allow wins" settled here: a deny covered by an allow is left
    /// out, and an allow inside a deny is the longer prefix, which the trie prefers.
    /// </summary>
    private static void AddLists(RuleSet set, List<(Cidr, GuardAction)> v4, List<(Cidr, GuardAction)> v6)
    {
        var allowed = new HashSet<(bool, int, UInt128)>();
        foreach (Cidr a in set.Allow)
        {
            if (allowed.Add((a.IsV4, a.PrefixLength, a.Bits)))
            {
                (a.IsV4 ? v4 : v6).Add((a, GuardAction.Pass));
            }
        }
        var denied = new HashSet<(bool, int, UInt128)>();
        foreach (Cidr d in set.Deny)
        {
            bool covered = false;
            for (int len = 0; len <= d.PrefixLength && !covered; len++)
            {
                covered = allowed.Contains((d.IsV4, len, d.Bits & Cidr.Mask(len)));
            }
            if (!covered && denied.Add((d.IsV4, d.PrefixLength, d.Bits)))
            {
                (d.IsV4 ? v4 : v6).Add((d, GuardAction.Drop));
            }
        }
    }

    private static unsafe RuleValue Rule(GuardRule r)
    {
        var v = new RuleValue
        {
            Action = (byte)r.Action,
            Protocol = r.Protocol,
            DportLo = r.PortLow,
            DportHi = r.PortHigh,
            TcpFlagsMask = r.TcpFlagsMask,
            TcpFlagsValue = r.TcpFlagsValue,
            IcmpType = r.IcmpType ?? 255,
            RatePps = r.RatePps,
            Burst = r.Burst,
            LimitPrefixV4 = (byte)r.LimitPrefixV4,
            LimitPrefixV6 = (byte)r.LimitPrefixV6,
        };
        if (r.Action == GuardAction.Limit)
        {
            v.IntervalNs = 1_000_000_000UL / r.RatePps;
            v.ToleranceNs = Math.Max(Math.Max(1UL, r.Burst) * v.IntervalNs, CoarseClock.ResolutionNs + v.IntervalNs);
        }
        if (r.Source is { } source)
        {
            v.Family = source.IsV4 ? (byte)4 : (byte)6;
            v.SrcPrefixlen = (byte)source.PrefixLength;
            Span<byte> addr = stackalloc byte[16];
            Span<byte> mask = stackalloc byte[16];
            addr.Clear();
            mask.Clear();
            source.AddressBytes().CopyTo(addr);
            for (int bit = 0; bit < source.PrefixLength; bit++)
            {
                mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
            addr.CopyTo(new Span<byte>(v.SrcAddr, 16));
            mask.CopyTo(new Span<byte>(v.SrcMask, 16));
        }
        Encoding.UTF8.GetBytes(r.Name, new Span<byte>(v.Name, 23));
        return v;
    }

    /// <summary>The rule as it sits in the kernel, back in rule-set terms (for `vigil xdp rules`).</summary>
    public static unsafe GuardRule Decompile(in RuleValue v)
    {
        fixed (RuleValue* p = &v)
        {
            Cidr? source = null;
            if (p->Family != 0)
            {
                var bytes = new ReadOnlySpan<byte>(p->SrcAddr, p->Family == 4 ? 4 : 16);
                source = Cidr.Of(new System.Net.IPAddress(bytes), p->SrcPrefixlen);
            }
            return new GuardRule
            {
                Name = Sensors.RecordReader.CString(new ReadOnlySpan<byte>(p->Name, 24)),
                Action = (GuardAction)p->Action,
                Protocol = p->Protocol,
                Source = source,
                PortLow = p->DportLo,
                PortHigh = p->DportHi,
                TcpFlagsMask = p->TcpFlagsMask,
                TcpFlagsValue = p->TcpFlagsValue,
                IcmpType = p->IcmpType == 255 ? null : p->IcmpType,
                RatePps = p->RatePps,
                Burst = p->Burst,
                LimitPrefixV4 = p->LimitPrefixV4,
                LimitPrefixV6 = p->LimitPrefixV6,
            };
        }
    }
}
