using System.CommandLine;
using Vigil.Agent.Host;
using Vigil.Detection.Rules;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil rules check FILE...</c>: every rule active or skipped (with the reason), every error with its place.</summary>
public static class RulesCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Rule files in Falco's language, loaded together in order (later files may use earlier macros and lists)", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Load rule files and report each rule as active, skipped or in error") { files };
        check.SetAction(result =>
        {
            RuleCheckReport report = RuleLoader.Load(result.GetValue(files)!).Report;
            Console.Write(report.ToString());
            return report.HasErrors ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return new Command("rules", "Detection rules") { check };
    }
}
