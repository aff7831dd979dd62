using System.CommandLine;
using Vigil.Agent.Host;
using Vigil.Sensors;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil doctor</c>: what works on this machine, what is degraded, and how to fix it.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check BPF support, BTF, ring buffers, tracefs, bpffs, privileges and every sensor");
        command.SetAction(_ =>
        {
            List<DoctorCheck> checks = Doctor.Run(new SensorOptions());
            foreach (DoctorCheck check in checks)
            {
                Console.WriteLine($"{Label(check.State),-12} {check.Name,-16} {check.Detail}");
                if (check.Fix is not null)
                {
                    Console.WriteLine($"{"",-12} {"",-16} fix: {check.Fix.Replace("\n", "\n" + new string(' ', 34), StringComparison.Ordinal)}");
                }
            }
            if (checks.Any(c => c.Name == "privileges" && c.State == CheckState.Failed))
            {
                return ExitCodes.NoPermission;
            }
            return checks.Any(c => c.State == CheckState.Failed) ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    private static string Label(CheckState state) => state switch
    {
        CheckState.Ok => "ok",
        CheckState.Degraded => "degraded",
        CheckState.Failed => "FAILED",
        _ => "not checked",
    };
}
