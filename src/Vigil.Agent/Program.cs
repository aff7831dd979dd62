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
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
