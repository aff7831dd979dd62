using System.Text.RegularExpressions;
using Vigil.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Vigil.Tests.Deploy;

/// <summary>The files under deploy/, read as their consumers would: the systemd unit's settings, the Kubernetes YAML documents.</summary>
internal static partial class DeployFiles
{
    public static string Path(string relative) => System.IO.Path.Combine(RepoPaths.Root, "deploy", relative);

    /// <summary>The [Service] settings of deploy/systemd/vigil.service (a repeated key keeps every value).</summary>
    public static Dictionary<string, List<string>> UnitService()
    {
        var settings = new Dictionary<string, List<string>>();
        string section = "";
        foreach (string raw in File.ReadLines(Path("systemd/vigil.service")))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith('['))
            {
                section = line;
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "[Service]" && eq > 0)
            {
                string key = line[..eq];
                settings.TryAdd(key, []);
                settings[key].Add(line[(eq + 1)..]);
            }
        }
        return settings;
    }

    /// <summary>The capabilities the unit grants, by setpriv's names (bpf, net_admin, ...).</summary>
    public static string[] UnitCapabilities() =>
        [.. Single(UnitService(), "CapabilityBoundingSet").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c["CAP_".Length..].ToLowerInvariant())];

    public static string Single(Dictionary<string, List<string>> settings, string key) =>
        Assert.Single(Assert.Contains(key, settings));

    /// <summary>Every YAML document of a file.</summary>
    public static List<Dictionary<object, object>> YamlDocuments(string text)
    {
        IDeserializer yaml = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(yaml.Deserialize<Dictionary<object, object>>(parser));
        }
        return documents;
    }

    /// <summary>
    /// The chart's templates rendered with its values, as far as this chart uses Helm: <c>{{ .Values.a.b }}</c>,
    /// <c>{{ .Release.Name }}</c>, <c>{{ .Release.Namespace }}</c>, <c>{{ .Chart.AppVersion }}</c>. Any other
    /// template action fails the render, so the chart cannot drift beyond what this checks.
    /// </summary>
    public static string RenderChart(string release, string ns)
    {
        string chart = Path("helm/vigil");
        Dictionary<object, object> values = YamlDocuments(File.ReadAllText(System.IO.Path.Combine(chart, "values.yaml")))[0];
        Dictionary<object, object> meta = YamlDocuments(File.ReadAllText(System.IO.Path.Combine(chart, "Chart.yaml")))[0];
        var rendered = new List<string>();
        foreach (string template in Directory.GetFiles(System.IO.Path.Combine(chart, "templates"), "*.yaml").Order(StringComparer.Ordinal))
        {
            rendered.Add(Action().Replace(File.ReadAllText(template), m => m.Groups[1].Value switch
            {
                ".Release.Name" => release,
                ".Release.Namespace" => ns,
                ".Chart.AppVersion" => (string)meta["appVersion"],
                string v when v.StartsWith(".Values.", StringComparison.Ordinal) => Lookup(values, v[".Values.".Length..]),
                string v => throw new InvalidOperationException($"{template}: template action {{{{ {v} }}}} is beyond what the test renders"),
            }));
        }
        return string.Join("\n---\n", rendered);
    }

    private static string Lookup(Dictionary<object, object> values, string path)
    {
        object node = values;
        foreach (string key in path.Split('.'))
        {
            node = ((Dictionary<object, object>)node)[key];
        }
        return (string)node;
    }

    /// <summary>A value at a path of keys and list indexes.</summary>
    public static object At(object node, params object[] path)
    {
        foreach (object step in path)
        {
            node = step is int i ? ((List<object>)node)[i] : ((Dictionary<object, object>)node)[step];
        }
        return node;
    }

    [GeneratedRegex(@"\{\{-?\s*([^}]*?)\s*-?\}\}")]
    private static partial Regex Action();
}
