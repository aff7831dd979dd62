using System.Text;

namespace Vigil.Guard.Rules;

/// <summary>A rule in one line, in the words of the rule-set file.</summary>
public static class RuleText
{
    public static string Describe(GuardRule r)
    {
        var text = new StringBuilder($"{r.Name}: {r.Action.ToString().ToLowerInvariant()}");
        if (r.Protocol != 0)
        {
            text.Append($" protocol {RuleProtocols.Name(r.Protocol)}");
        }
        if (r.Source is { } source)
        {
            text.Append($" source {source}");
        }
        if (r.HasPorts)
        {
            text.Append(r.PortLow == r.PortHigh ? $" port {r.PortLow}" : $" ports {r.PortLow}-{r.PortHigh}");
        }
        if (r.TcpFlagsMask != 0)
        {
            IEnumerable<string> flags = RuleProtocols.TcpFlags
                .Where(f => (r.TcpFlagsMask & f.Value) != 0)
                .Select(f => (r.TcpFlagsValue & f.Value) != 0 ? f.Key : "!" + f.Key);
            text.Append($" tcp-flags {string.Join(',', flags)}");
        }
        if (r.IcmpType is { } type)
        {
            text.Append($" icmp-type {type}");
        }
        if (r.Action == GuardAction.Limit)
        {
            text.Append($" rate {r.RatePps}/s burst {r.Burst} per /{r.LimitPrefixV4} (v4) /{r.LimitPrefixV6} (v6)");
        }
        return text.ToString();
    }
}
