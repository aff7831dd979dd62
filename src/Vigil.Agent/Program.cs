using System.CommandLine;
using Vigil.Agent.Commands;
using Vigil.Agent.Host;

StopSignals.Restore();
var root = new RootCommand("Vigil: an eBPF node agent that decides at the source")
{
    RunCommand.Create(),
    ConfigCommand.Create(),
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
// Stopping detaches every sensor's programs and flushes the sinks (the store's last batch): the
// default two seconds of System.CommandLine would end the process before it has cleaned up.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
