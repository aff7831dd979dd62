using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Vigil.Guard.Rules;

/// <summary>
/// Reads a rule set from YAML (docs/xdp.md shows the format). Every problem is reported with
/// where it is; a file with any problem yields no rule set at all.
/// </summary>
public static class RuleSetFile
{
    private static readonly IDeserializer s_yaml = new DeserializerBuilder()
        .WithNamingConvention(HyphenatedNamingConvention.Instance)
        .Build();

    public static RuleSet Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuleSetException($"{path}: cannot read: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    public static RuleSet Parse(string yaml, string source)
    {
        Document doc;
        try
        {
            doc = s_yaml.Deserialize<Document?>(yaml) ?? new Document();
        }
        catch (YamlException ex)
        {
            string reason = (ex.InnerException ?? ex).Message;
            throw new RuleSetException($"{source}:{ex.Start.Line}:{ex.Start.Column}: {reason}", ex);
        }
        var problems = new List<string>();
        var set = new RuleSet
        {
            Enforce = doc.Mode switch
            {
                null or "enforce" => true,
                "monitor" => false,
                _ => Problem(problems, $"mode: '{doc.Mode}' is not enforce or monitor", true),
            },
            DefaultAction = doc.Default switch
            {
                null or "pass" => GuardAction.Pass,
                "drop" => GuardAction.Drop,
                _ => Problem(problems, $"default: '{doc.Default}' is not pass or drop", GuardAction.Pass),
            },
            SampleEvery = doc.SampleEvery ?? 64,
            Allow = Cidrs(doc.Allow, "allow", problems),
            Deny = Cidrs(doc.Deny, "deny", problems),
            Rules = [.. (doc.Rules ?? []).Select((r, i) => Rule(r, i, problems))],
        };
        problems.AddRange(set.Problems());
        if (problems.Count > 0)
        {
            throw RuleSetException.From(source, problems);
        }
        return set;
    }

    private static List<Cidr> Cidrs(List<string>? texts, string where, List<string> problems)
    {
        var cidrs = new List<Cidr>();
        for (int i = 0; i < (texts?.Count ?? 0); i++)
        {
            try
            {
                cidrs.Add(Cidr.Parse(texts![i]));
            }
            catch (FormatException ex)
            {
                problems.Add($"{where}[{i}]: {ex.Message}");
            }
        }
        return cidrs;
    }

    private static GuardRule Rule(RuleDocument r, int index, List<string> problems)
    {
        string where = $"rules[{index}] ({r.Name ?? "unnamed"})";
        byte protocol = 0;
        if (r.Protocol is not null && !RuleProtocols.Protocols.TryGetValue(r.Protocol, out protocol))
        {
            problems.Add($"{where}: protocol '{r.Protocol}' is not one of {string.Join(", ", RuleProtocols.Protocols.Keys)}");
        }
        GuardAction action = r.Action switch
        {
            "pass" => GuardAction.Pass,
            "drop" => GuardAction.Drop,
            "limit" => GuardAction.Limit,
            _ => Problem(problems, $"{where}: action '{r.Action}' is not pass, drop or limit", GuardAction.Drop),
        };
        Cidr? source = null;
        if (r.Source is not null)
        {
            try
            {
                source = Cidr.Parse(r.Source);
            }
            catch (FormatException ex)
            {
                problems.Add($"{where}: source: {ex.Message}");
            }
        }
        (ushort low, ushort high) = Ports(r.Ports, where, problems);
        (byte mask, byte value) = Flags(r.TcpFlags, where, problems);
        byte? icmp = null;
        if (r.IcmpType is not null)
        {
            icmp = byte.TryParse(r.IcmpType, NumberStyles.None, CultureInfo.InvariantCulture, out byte n) ? n
                : RuleProtocols.IcmpType(protocol, r.IcmpType)
                  ?? Problem<byte?>(problems, $"{where}: icmp-type '{r.IcmpType}' is not a number or echo-request/echo-reply", null);
        }
        return new GuardRule
        {
            Name = r.Name ?? "",
            Action = action,
            Protocol = protocol,
            Source = source,
            PortLow = low,
            PortHigh = high,
            TcpFlagsMask = mask,
            TcpFlagsValue = value,
            IcmpType = icmp,
            RatePps = r.Rate ?? 0,
            Burst = r.Burst ?? (action == GuardAction.Limit ? Math.Max(1, (r.Rate ?? 0) / 10) : 0),
            LimitPrefixV4 = r.PerPrefixV4 ?? 32,
            LimitPrefixV6 = r.PerPrefixV6 ?? 64,
        };
    }

    private static (ushort, ushort) Ports(string? text, string where, List<string> problems)
    {
        if (text is null)
        {
            return (0, ushort.MaxValue);
        }
        string[] parts = text.Split('-', 2);
        if (ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ushort low)
            && (parts.Length == 1 || ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            ushort high = parts.Length == 1 ? low : ushort.Parse(parts[1], CultureInfo.InvariantCulture);
            return (low, high);
        }
        problems.Add($"{where}: ports '{text}' is not a port or a range like 1000-2000");
        return (0, ushort.MaxValue);
    }

    /// <summary>"syn,!ack": SYN set and ACK clear; flags not named are not looked at.</summary>
    private static (byte Mask, byte Value) Flags(string? text, string where, List<string> problems)
    {
        byte mask = 0, value = 0;
        foreach (string raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool clear = raw.StartsWith('!');
            if (!RuleProtocols.TcpFlags.TryGetValue(clear ? raw[1..] : raw, out byte bit))
            {
                problems.Add($"{where}: tcp-flags '{raw}' is not one of {string.Join(", ", RuleProtocols.TcpFlags.Keys)} (prefix ! for clear)");
                continue;
            }
            mask |= bit;
            value |= clear ? (byte)0 : bit;
        }
        return (mask, value);
    }

    private static T Problem<T>(List<string> problems, string problem, T fallback)
    {
        problems.Add(problem);
        return fallback;
    }

    private sealed class Document
    {
        public string? Mode { get; set; }
        public string? Default { get; set; }
        public uint? SampleEvery { get; set; }
        public List<string>? Allow { get; set; }
        public List<string>? Deny { get; set; }
        public List<RuleDocument>? Rules { get; set; }
    }

    private sealed class RuleDocument
    {
        public string? Name { get; set; }
        public string? Action { get; set; }
        public string? Protocol { get; set; }
        public string? Source { get; set; }
        public string? Ports { get; set; }
        public string? TcpFlags { get; set; }
        public string? IcmpType { get; set; }
        public uint? Rate { get; set; }
        public uint? Burst { get; set; }
        public int? PerPrefixV4 { get; set; }
        public int? PerPrefixV6 { get; set; }
    }
}
