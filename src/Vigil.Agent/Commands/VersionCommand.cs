using System.CommandLine;
using System.Reflection;
using Vigil.Bpf;

namespace Vigil.Agent.Commands;

public static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Print the agent, libbpf and kernel versions");
        command.SetAction(_ =>
        {
            Console.WriteLine($"vigil {Version}");
            Console.WriteLine($"libbpf {BpfSystem.LibbpfVersion}");
            Console.WriteLine($"kernel {Environment.OSVersion.Version}");
            return 0;
        });
        return command;
    }
}
