using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Detection.Rules;

/// <summary>What a rule file yields: its items in order and the problems of the items that could not be read.</summary>
public sealed record RuleFileContent(string File, IReadOnlyList<RuleFileItem> Items, IReadOnlyList<RuleException> Errors);

/// <summary>
/// Reads a Falco rule file with YamlDotNet's representation model, which keeps each node's line and
/// column, so every problem points at the entry that caused it. One bad entry does not stop the others.
/// </summary>
public static class RuleFileReader
{
    public static RuleFileContent ReadFile(string path) => Read(path, File.ReadAllText(path));

    public static RuleFileContent Read(string file, string text)
    {
        var items = new List<RuleFileItem>();
        var errors = new List<RuleException>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new RuleException(RuleProblemKind.Error, $"malformed YAML: {e.InnerException?.Message ?? e.Message}", At(file, e.Start)));
            return new RuleFileContent(file, items, errors);
        }

        foreach (YamlDocument document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            if (document.RootNode is not YamlSequenceNode entries)
            {
                errors.Add(new RuleException(RuleProblemKind.Error, "a rule file must be a YAML sequence of list, macro and rule entries", At(file, document.RootNode.Start)));
                continue;
            }
            foreach (YamlNode entry in entries)
            {
                try
                {
                    RuleFileItem? item = ReadEntry(file, entry);
                    if (item is not null)
                    {
                        items.Add(item);
                    }
                }
                catch (RuleException e)
                {
                    errors.Add(e);
                }
            }
        }
        return new RuleFileContent(file, items, errors);
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    private static RuleFileItem? ReadEntry(string file, YamlNode entry)
    {
        SourceLocation where = At(file, entry.Start);
        if (entry is not YamlMappingNode map)
        {
            throw new RuleException(RuleProblemKind.Error, "an entry must be a mapping", where);
        }
        var entryReader = new EntryReader(file, map, where);
        if (entryReader.Has("list"))
        {
            string name = entryReader.RequiredScalar("list");
            return new ListItem(name, where, entryReader.StringList("items", name) ?? [], entryReader.ListOrMacroMode("items", name));
        }
        if (entryReader.Has("macro"))
        {
            string name = entryReader.RequiredScalar("macro");
            return new MacroItem(name, where, entryReader.RequiredScalar("condition", name), entryReader.ListOrMacroMode("condition", name));
        }
        if (entryReader.Has("rule"))
        {
            return entryReader.Rule(entryReader.RequiredScalar("rule"));
        }
        // required_engine_version, required_plugin_versions and other top-level settings are tolerated.
        return null;
    }
}
