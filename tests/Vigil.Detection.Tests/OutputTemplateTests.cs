using Vigil.Detection.Rules;
using static Vigil.Detection.Tests.SyntheticEvents;

namespace Vigil.Detection.Tests;

public sealed class OutputTemplateTests
{
    private static string Render(string template)
    {
        var context = new EventContext(new RuleEnvironment());
        context.Reset(Exec("/usr/bin/grep", ["grep", "-r", "key"]), 7);
        return OutputTemplate.Parse(template, FieldRegistry.Default).Render(context);
    }

    [Theory]
    [InlineData("%proc.name ran", "grep ran")]
    [InlineData("gp=%proc.aname[2] p=%proc.pname", "gp=sshd p=bash")]
    [InlineData("cmd=%proc.cmdline n=%evt.num", "cmd=grep -r key n=7")]
    [InlineData("100% sure, %word stays", "100% sure, %word stays")]
    [InlineData("file=%fd.name sid=%proc.sid tty=%proc.tty", "file=<NA> sid=<NA> tty=0")]
    [InlineData("trailing %", "trailing %")]
    public void Placeholders_render_values_or_NA(string template, string expected) => Assert.Equal(expected, Render(template));

    [Fact]
    public void Unknown_output_field_is_an_error()
    {
        RuleStatus status = RuleHarness.Load(RuleHarness.RuleYaml("r", "proc.name = a", output: "x=%proc.nmae")).Report.Find("r")!;
        Assert.Equal(RuleState.Error, status.State);
        Assert.Contains("unknown field 'proc.nmae'", status.Reason, StringComparison.Ordinal);
    }
}
