using System.CommandLine;
using Vigil.Agent.Commands;

var root = new RootCommand("Vigil: an eBPF node agent that decides at the source")
{
    RunCommand.Create(),
    DoctorCommand.Create(),
    RulesCommand.Create(),
    PolicyCommand.Create(),
    XdpCommand.Create(),
    FleetCommand.Create(),
    VersionCommand.Create(),
    EventsCommand.Create(),
    DetectionsCommand.Create(),
    IncidentsCommand.CreateList(),
    IncidentsCommand.CreateShow(),
    PsCommand.Create(),
    FlowsCommand.Create(),
};
// On SIGTERM `vigil run` detaches its programs and flushes its sinks (the store's last batch);
// System.CommandLine's default of two seconds cuts that short on a busy node.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
