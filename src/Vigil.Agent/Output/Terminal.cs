using Spectre.Console;

namespace Vigil.Agent.Output;

/// <summary>Spectre.Console on stdout; when stdout is a pipe or file, wide and plain so lines are not cut or coloured.</summary>
internal static class Terminal
{
    public static IAnsiConsole Create()
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 250;
        }
        return console;
    }

    /// <summary>Text shown as is, never parsed as markup (command lines and paths contain brackets).</summary>
    public static Text Plain(string text) => new(text);
}
