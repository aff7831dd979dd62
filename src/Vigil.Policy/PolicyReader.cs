using System.Globalization;
using System.Net;
using System.Text;
using Vigil.Events;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Policy;

/// <summary>
/// Reads a policy file (docs/policies.md) strictly: unknown fields, wrong types and bad values are
/// problems with file, line and column, and a file with any problem yields no policy at all.
/// </summary>
public static class PolicyReader
{
    public const string ApiVersion = "vigil.dev/v1";
    public const string Kind = "Policy";

    private static readonly string[] SelectorFields =
    [
        "path", "intent", "binary", "parentBinary", "uid", "notUid", "comm", "notComm", "processes", "toRoot", "pidNamespace", "cgroup",
        "destination", "source", "ports",
    ];

    public static PolicyDocument ReadFile(string path) => Read(path, File.ReadAllText(path));

    public static PolicyDocument Read(string file, string text)
    {
        var problems = new List<PolicyProblem>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new PolicyException(new PolicyLocation(file, (int)e.Start.Line, (int)e.Start.Column), $"malformed YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count != 1)
        {
            throw new PolicyException(new PolicyLocation(file, 1, 1), $"a policy file holds exactly one YAML document, this one has {stream.Documents.Count}");
        }
        PolicyDocument? policy = ReadPolicy(file, stream.Documents[0].RootNode, problems);
        if (problems.Count > 0 || policy is null)
        {
            throw new PolicyException(problems);
        }
        return policy;
    }

    private static PolicyDocument? ReadPolicy(string file, YamlNode root, List<PolicyProblem> problems)
    {
        var top = new YamlFields(file, root, "the policy", problems, "apiVersion", "kind", "metadata", "spec");
        if (top.Scalar("apiVersion", required: true) is { } api && api != ApiVersion)
        {
            top.Problem(top.Node("apiVersion")!, $"apiVersion must be {ApiVersion}");
        }
        if (top.Scalar("kind", required: true) is { } kind && kind != Kind)
        {
            top.Problem(top.Node("kind")!, $"kind must be {Kind}");
        }
        if (top.Node("metadata") is not { } metadataNode || top.Node("spec") is not { } specNode)
        {
            foreach (string missing in new[] { "metadata", "spec" }.Where(k => !top.Has(k)))
            {
                top.Problem(top.Location, $"'{missing}' is required");
            }
            return null;
        }
        var metadata = new YamlFields(file, metadataNode, "metadata", problems, "name", "description");
        string? name = metadata.Scalar("name", required: true);
        if (name is not null && !IsName(name))
        {
            metadata.Problem(metadata.Node("name")!, $"name '{name}' must be 1 to 63 lower-case letters, digits and '-', starting with a letter or digit");
        }
        var spec = new YamlFields(file, specNode, "spec", problems, "mode", "rules");
        PolicyMode mode = spec.Scalar("mode") switch
        {
            null or "monitor" => PolicyMode.Monitor,
            "enforce" => PolicyMode.Enforce,
            string other => Bad(spec, "mode", $"mode '{other}' must be monitor or enforce", PolicyMode.Monitor),
        };
        var rules = new List<PolicyRule>();
        if (spec.Node("rules") is not YamlSequenceNode { Children.Count: > 0 } ruleNodes)
        {
            spec.Problem(spec.LocationOf("rules"), "'rules' must be a non-empty list");
            return null;
        }
        foreach (YamlNode ruleNode in ruleNodes)
        {
            if (ReadRule(file, ruleNode, problems) is { } rule)
            {
                if (rules.Any(r => r.Name == rule.Name))
                {
                    problems.Add(new PolicyProblem(rule.Location, $"rule name '{rule.Name}' is used twice in this policy"));
                }
                rules.Add(rule);
            }
        }
        return name is null ? null : new PolicyDocument(name, mode, rules, top.Location) { Description = metadata.Scalar("description") ?? "" };
    }

    private static PolicyRule? ReadRule(string file, YamlNode node, List<PolicyProblem> problems)
    {
        var rule = new YamlFields(file, node, "a rule", problems, "name", "events", "match", "action", "sample", "rateLimit", "critical");
        string? name = rule.Scalar("name", required: true);
        if (name is not null && !IsName(name))
        {
            rule.Problem(rule.Node("name")!, $"rule name '{name}' must be 1 to 63 lower-case letters, digits and '-'");
        }
        IReadOnlyList<(string Value, YamlNode Node)> events = rule.Scalars("events");
        if (events.Count == 0)
        {
            rule.Problem(rule.LocationOf("events"), "'events' must list at least one event type");
        }
        var locations = new Dictionary<string, PolicyLocation>(StringComparer.Ordinal) { ["events"] = rule.LocationOf("events") };
        foreach ((string value, YamlNode eventNode) in events)
        {
            if (EventTypes.FamilyOf(value) is null)
            {
                rule.Problem(eventNode, $"unknown event type '{value}'; known: {string.Join(", ", EventTypes.All)}");
            }
        }
        PolicySelectors match = rule.Node("match") is { } matchNode ? ReadSelectors(file, matchNode, problems, locations) : new PolicySelectors();
        locations["action"] = rule.LocationOf("action");
        PolicyAction action = rule.Scalar("action") switch
        {
            null or "post" => PolicyAction.Post,
            "count" => PolicyAction.Count,
            "sample" => PolicyAction.Sample,
            "rate-limit" => PolicyAction.RateLimit,
            "sigkill" => PolicyAction.Sigkill,
            "deny-connect" => PolicyAction.DenyConnect,
            string other => Bad(rule, "action", $"action '{other}' must be one of post, count, sample, rate-limit, sigkill, deny-connect", PolicyAction.Post),
        };
        uint sample = 0;
        if (rule.Node("sample") is { } sampleNode)
        {
            sample = Number(rule, sampleNode, "sample", 2, uint.MaxValue);
            if (action != PolicyAction.Sample)
            {
                rule.Problem(sampleNode, "'sample' belongs to action sample");
            }
        }
        else if (action == PolicyAction.Sample)
        {
            rule.Problem(rule.LocationOf("action"), "action sample needs 'sample: N' (one event in N ships)");
        }
        (uint events, TimeSpan interval) limit = default;
        if (rule.Node("rateLimit") is { } limitNode)
        {
            var fields = new YamlFields(file, limitNode, "rateLimit", problems, "events", "interval");
            limit.events = fields.Node("events") is { } n ? Number(fields, n, "events", 1, uint.MaxValue) : Missing<uint>(fields, "events");
            limit.interval = fields.Scalar("interval", required: true) is { } text ? Duration(fields, fields.Node("interval")!, text) : default;
            if (action != PolicyAction.RateLimit)
            {
                rule.Problem(limitNode, "'rateLimit' belongs to action rate-limit");
            }
        }
        else if (action == PolicyAction.RateLimit)
        {
            rule.Problem(rule.LocationOf("action"), "action rate-limit needs 'rateLimit: {events: N, interval: 10s}'");
        }
        bool critical = rule.Scalar("critical") switch
        {
            null or "false" => false,
            "true" => true,
            _ => Bad(rule, "critical", "'critical' must be true or false", false),
        };
        return name is null ? null : new PolicyRule(name, [.. events.Select(e => e.Value)], match, action, rule.Location)
        {
            SampleEvery = sample,
            RateLimitEvents = limit.events,
            RateLimitInterval = limit.interval,
            Critical = critical,
            Locations = locations,
        };
    }

    private static PolicySelectors ReadSelectors(string file, YamlNode node, List<PolicyProblem> problems, Dictionary<string, PolicyLocation> locations)
    {
        var match = new YamlFields(file, node, "match", problems, SelectorFields);
        foreach (string field in SelectorFields.Where(match.Has))
        {
            locations[field] = match.LocationOf(field);
        }
        var path = match.Node("path") is { } pathNode ? new YamlFields(file, pathNode, "path", problems, "exact", "prefix", "suffix") : null;
        var binary = match.Node("binary") is { } binaryNode ? new YamlFields(file, binaryNode, "binary", problems, "exact", "prefix") : null;
        var parent = match.Node("parentBinary") is { } parentNode ? new YamlFields(file, parentNode, "parentBinary", problems, "exact", "prefix") : null;
        return new PolicySelectors
        {
            PathExact = Paths(path, "exact", absolute: true, JudgeLimits.PathBytes - 1),
            PathPrefix = Paths(path, "prefix", absolute: true, JudgeLimits.PathBytes),
            PathSuffix = Paths(path, "suffix", absolute: false, JudgeLimits.SuffixBytes),
            Intent = Intent(match),
            BinaryExact = Paths(binary, "exact", absolute: true, JudgeLimits.PathBytes - 1),
            BinaryPrefix = Paths(binary, "prefix", absolute: true, JudgeLimits.PathBytes),
            ParentExact = Paths(parent, "exact", absolute: true, JudgeLimits.PathBytes - 1),
            ParentPrefix = Paths(parent, "prefix", absolute: true, JudgeLimits.PathBytes),
            Uid = Ids(match, "uid"),
            NotUid = Ids(match, "notUid"),
            Comm = [.. match.Scalars("comm").Select(c => CheckBytes(match, c, JudgeLimits.CommBytes, "comm"))],
            NotComm = [.. match.Scalars("notComm").Select(c => CheckBytes(match, c, JudgeLimits.CommBytes, "notComm"))],
            Processes = match.Scalar("processes") switch
            {
                null => ProcessScope.Any,
                "host" => ProcessScope.Host,
                "container" => ProcessScope.Container,
                string other => Bad(match, "processes", $"processes '{other}' must be host or container", ProcessScope.Any),
            },
            ToRoot = match.Scalar("toRoot") switch
            {
                null or "false" => false,
                "true" => true,
                _ => Bad(match, "toRoot", "'toRoot' must be true or false", false),
            },
            PidNamespace = [.. match.Scalars("pidNamespace").Select(n => (ulong)Number(match, n.Node, "pidNamespace", 1, uint.MaxValue))],
            Cgroup = [.. match.Scalars("cgroup").Select(c => c.Value.StartsWith('/') ? c.Value : Bad(match, c.Node, $"cgroup '{c.Value}' must be a path starting with '/', as /proc/PID/cgroup names it", c.Value))],
            Destination = Cidrs(match, "destination"),
            Source = Cidrs(match, "source"),
            Ports = [.. match.Scalars("ports").Select(p => Port(match, p.Value, p.Node))],
        };
    }

    private static IReadOnlyList<string> Paths(YamlFields? fields, string key, bool absolute, int maxBytes)
    {
        if (fields is null)
        {
            return [];
        }
        var paths = new List<string>();
        foreach ((string value, YamlNode node) in fields.Scalars(key))
        {
            if (absolute && !value.StartsWith('/'))
            {
                fields.Problem(node, $"{key} path '{value}' must be absolute");
            }
            paths.Add(CheckBytes(fields, (value, node), maxBytes, $"{key} path"));
        }
        return paths;
    }

    private static string CheckBytes(YamlFields fields, (string Value, YamlNode Node) item, int maxBytes, string what)
    {
        int bytes = Encoding.UTF8.GetByteCount(item.Value);
        if (bytes > maxBytes)
        {
            fields.Problem(item.Node, $"{what} '{item.Value}' is {bytes} bytes; the kernel tables hold {maxBytes}");
        }
        return item.Value;
    }

    private static FileIntent Intent(YamlFields match)
    {
        FileIntent intent = FileIntent.None;
        foreach ((string value, YamlNode node) in match.Scalars("intent"))
        {
            intent |= value switch
            {
                "read" => FileIntent.Read,
                "write" => FileIntent.Write,
                "create" => FileIntent.Create,
                "truncate" => FileIntent.Truncate,
                _ => Bad(match, node, $"intent '{value}' must be read, write, create or truncate", FileIntent.None),
            };
        }
        return intent;
    }

    private static IReadOnlyList<uint> Ids(YamlFields match, string key) =>
        [.. match.Scalars(key).Select(u => Number(match, u.Node, key, 0, uint.MaxValue - 1))];

    private static IReadOnlyList<IPNetwork> Cidrs(YamlFields match, string key)
    {
        var cidrs = new List<IPNetwork>();
        foreach ((string value, YamlNode node) in match.Scalars(key))
        {
            string[] parts = value.Split('/');
            if (!IPAddress.TryParse(parts[0], out IPAddress? address) || parts.Length > 2)
            {
                match.Problem(node, $"{key} '{value}' is not an address or CIDR (203.0.113.0/24, 2001:db8::/32)");
                continue;
            }
            int max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            int length = max;
            if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max))
            {
                match.Problem(node, $"{key} '{value}': prefix length must be 0 to {max}");
                continue;
            }
            try
            {
                cidrs.Add(new IPNetwork(address, length));
            }
            catch (ArgumentException)
            {
                match.Problem(node, $"{key} '{value}' has address bits set beyond its /{length} prefix");
            }
        }
        return cidrs;
    }

    private static PortRange Port(YamlFields match, string value, YamlNode node)
    {
        string[] parts = value.Split('-');
        if (parts.Length <= 2
            && ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ushort first)
            && ushort.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out ushort last)
            && first > 0 && first <= last)
        {
            return new PortRange(first, last);
        }
        return Bad(match, node, $"port '{value}' must be a port (1-65535) or a range like 8000-8080", default(PortRange));
    }

    private static uint Number(YamlFields fields, YamlNode node, string key, uint min, uint max)
    {
        if (node is YamlScalarNode { Value: { } text } && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && value >= min && value <= max)
        {
            return value;
        }
        return Bad(fields, node, $"'{key}' must be a whole number from {min} to {max}", min);
    }

    private static TimeSpan Duration(YamlFields fields, YamlNode node, string text)
    {
        (string number, long scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], TimeSpan.TicksPerMillisecond),
            _ when text.EndsWith('s') => (text[..^1], TimeSpan.TicksPerSecond),
            _ when text.EndsWith('m') => (text[..^1], TimeSpan.TicksPerMinute),
            _ when text.EndsWith('h') => (text[..^1], TimeSpan.TicksPerHour),
            _ => ("", 0),
        };
        if (scale > 0 && uint.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && value > 0)
        {
            return TimeSpan.FromTicks(value * scale);
        }
        return Bad(fields, node, $"interval '{text}' must be a positive duration such as 500ms, 10s, 5m, 1h", TimeSpan.Zero);
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static T Bad<T>(YamlFields fields, string key, string message, T fallback)
    {
        fields.Problem(fields.LocationOf(key), message);
        return fallback;
    }

    private static T Bad<T>(YamlFields fields, YamlNode node, string message, T fallback)
    {
        fields.Problem(node, message);
        return fallback;
    }

    private static T Missing<T>(YamlFields fields, string key) where T : struct
    {
        fields.Problem(fields.Location, $"'{key}' is required");
        return default;
    }
}
