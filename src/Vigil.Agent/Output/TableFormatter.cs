using System.Globalization;
using Vigil.Correlation.Incidents;
using Vigil.Detection.Rules;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>A readable fixed-width line per event, with a header before the first.</summary>
public sealed class TableFormatter : IRecordFormatter
{
    private bool _headerWritten;

    public void Write(TextWriter target, VigilEvent e)
    {
        if (!_headerWritten)
        {
            target.WriteLine($"{"TIME",-12} {"EVENT",-8} {"PID",7} {"PPID",7} {"UID",6} {"COMM",-16} DETAIL");
            _headerWritten = true;
        }
        ProcessIdentity p = e.Process;
        string time = e.Timestamp.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        target.WriteLine($"{time,-12} {e.Kind.ToString().ToLowerInvariant(),-8} {p.Pid,7} {p.ParentPid,7} {p.EffectiveUid,6} {p.Comm,-16} {Detail(e)}");
    }

    public void Write(TextWriter target, RuleDetection detection) =>
        target.WriteLine($"!! {detection.Priority.ToString().ToUpperInvariant()} {detection.RuleName}: {detection.Output}");

    public void Write(TextWriter target, IncidentReport incident) =>
        target.WriteLine($"## INCIDENT {incident.Id} r{incident.Revision} {incident.Status.ToString().ToLowerInvariant()} " +
            $"confidence {incident.Confidence:0.00}: {incident.Title} (root cause: {RootCause(incident)}; {string.Join(" -> ", incident.Findings)})");

    /// <summary>The root cause's name, after the sequence step it took if it was one: a plain event says little alone.</summary>
    private static string RootCause(IncidentReport incident) =>
        incident.Steps.TryGetValue(incident.RootCause.Id, out string? step) ? $"{step} ({incident.RootCause.Name})" : incident.RootCause.Name;

    private static string Detail(VigilEvent e) => e switch
    {
        ProcessExecEvent exec => string.Join(' ', exec.Args.Count > 0 ? exec.Args : [exec.Binary]),
        ProcessForkEvent fork => $"child {fork.ChildPid}",
        ProcessExitEvent exit => exit.Signal != 0 ? $"killed by signal {exit.Signal}" : $"exit {exit.ExitCode}",
        FileEvent file => $"{file.Syscall} {file.Path}",
        NetworkEvent net => $"{net.Syscall} {net.SourceAddress}:{net.SourcePort} -> {net.DestinationAddress}:{net.DestinationPort}",
        PrivilegeEvent priv => $"{priv.Syscall} {priv.Name}",
        SensorSamplingEvent s => $"{s.Sensor} ships 1 in {s.Every} low-priority events (ring {s.RingFill:P0} full)",
        GuardBanEvent ban => $"xdp ban {ban.Network} for {ban.Ttl.TotalSeconds:0}s ({ban.EstimatedPps:0} pps)",
        IndicatorAppliedEvent indicator => $"fleet indicator {indicator.Value} from {indicator.Origin}: {indicator.Action}",
        _ => "",
    };
}
