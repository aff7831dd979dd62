using System.CommandLine;
using Vigil.Agent.Config;
using Vigil.Agent.Host;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil config show</c>: the configuration <c>vigil run</c> would run with, and where each value comes from.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--config") { Description = "YAML configuration file, as vigil run --config takes it" };
        var show = new Command("show", "Print the effective configuration of vigil run (file, VIGIL_ variables and any vigil run flags given here) as YAML")
        {
            file,
        };
        show.TreatUnmatchedTokensAsErrors = false;
        show.SetAction(result =>
        {
            Command run = RunCommand.Create();
            string? path = result.GetValue(file);
            ParseResult flags = run.Parse([.. result.UnmatchedTokens, .. path is null ? [] : new[] { "--config", path }]);
            if (flags.Errors.FirstOrDefault() is { } error)
            {
                Console.Error.WriteLine($"vigil config show: {error.Message}");
                return ExitCodes.Usage;
            }
            try
            {
                ConfigYaml.Write(Console.Out, RunConfiguration.Load(run, flags, path));
                return ExitCodes.Ok;
            }
            catch (ConfigException ex)
            {
                Console.Error.WriteLine($"vigil config show: {ex.Message}");
                return ExitCodes.Usage;
            }
        });
        return new Command("config", "The agent's configuration") { show };
    }
}
