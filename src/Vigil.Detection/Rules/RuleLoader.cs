namespace Vigil.Detection.Rules;

public sealed record RuleLoadOptions
{
    /// <summary>Fail the whole load on the first file with errors, instead of loading the rules that are fine.</summary>
    public bool Strict { get; init; }

    public FieldRegistry Fields { get; init; } = FieldRegistry.Default;

    public RuleEnvironment Environment { get; init; } = new();
}

public sealed record RuleLoadResult(RuleSet RuleSet, RuleCheckReport Report, ConditionFactory Conditions);

/// <summary>
/// Loads Falco rule files into a <see cref="RuleSet"/>: read, merge appends and overrides, expand
/// macros, lists and exceptions, compile. Each rule succeeds or fails on its own; strict mode turns
/// any error into a failed load.
/// </summary>
public static class RuleLoader
{
    /// <summary>What <c>vigil rules check FILE</c> prints: every rule's state and every error.</summary>
    public static RuleCheckReport Check(string path) => Load([path]).Report;

    public static RuleLoadResult Load(IEnumerable<string> paths, RuleLoadOptions? options = null) =>
        Load(paths.Select(path => File.Exists(path)
            ? RuleFileReader.ReadFile(path)
            : new RuleFileContent(path, [], [new RuleException(RuleProblemKind.Error, "file not found", new SourceLocation(path, 0, 0))])), options);

    public static RuleLoadResult LoadText(string file, string text, RuleLoadOptions? options = null) =>
        Load([RuleFileReader.Read(file, text)], options);

    public static RuleLoadResult Load(IEnumerable<RuleFileContent> files, RuleLoadOptions? options = null)
    {
        options ??= new RuleLoadOptions();
        List<RuleFileContent> contents = files.ToList();
        var errors = contents.SelectMany(c => c.Errors).ToList();
        RuleCatalog catalog = RuleCatalog.Merge(contents.SelectMany(c => c.Items));
        errors.AddRange(catalog.Errors);

        var expander = new ConditionExpander(catalog.Macros, catalog.Lists);
        foreach (MergedMacro macro in catalog.Macros.Values)
        {
            try
            {
                expander.ParseMacro(macro);
            }
            catch (RuleException e) when (e.Kind == RuleProblemKind.Error)
            {
                errors.Add(e.WithContext(macro.Location, macro.Name));
            }
        }

        var statuses = new List<RuleStatus>();
        var active = new List<CompiledRule>();
        foreach (MergedRule rule in catalog.Rules)
        {
            try
            {
                CompiledRule compiled = RuleCompiler.Compile(rule, expander, options.Fields);
                RuleState state = rule.Enabled ? RuleState.Active : RuleState.Disabled;
                statuses.Add(new RuleStatus(rule.Name, state, rule.Location, rule.Enabled ? null : "enabled: false", compiled.EventTypes));
                if (rule.Enabled)
                {
                    active.Add(compiled);
                }
            }
            catch (RuleException e) when (e.Kind == RuleProblemKind.Unsupported || (rule.SkipIfUnknownFilter && e.Message.StartsWith("unknown field", StringComparison.Ordinal)))
            {
                statuses.Add(new RuleStatus(rule.Name, RuleState.Skipped, rule.Location, e.Message, null));
            }
            catch (RuleException e)
            {
                RuleException located = e.WithContext(rule.Location, rule.Name);
                statuses.Add(new RuleStatus(rule.Name, RuleState.Error, rule.Location, located.Message, null));
                errors.Add(located);
            }
        }

        if (options.Strict && errors.Count > 0)
        {
            throw new RuleException(RuleProblemKind.Error, $"{errors.Count} rule errors (strict mode):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
        return new RuleLoadResult(new RuleSet(active, options.Environment), new RuleCheckReport(statuses, errors),
            new ConditionFactory(expander, options.Fields, options.Environment));
    }
}
