using System.Text.Json;

namespace Vigil.Events;

/// <summary>
/// Writes events as flat JSON objects with OpenTelemetry semantic-convention attribute names
/// (docs/events.md), so collectors and SIEMs map them without glue.
/// </summary>
public static class EventJson
{
    public static string Name(VigilEvent e) => e switch
    {
        ProcessExecEvent => "process.exec",
        ProcessForkEvent => "process.fork",
        ProcessExitEvent => "process.exit",
        FileEvent => "file." + ((FileEvent)e).Syscall,
        NetworkEvent => "network." + ((NetworkEvent)e).Syscall,
        PrivilegeEvent => "privilege." + ((PrivilegeEvent)e).Syscall,
        GuardBanEvent => "xdp.ban",
        SensorSamplingEvent => "sensor.sampling",
        IndicatorAppliedEvent => "fleet.indicator",
        _ => e.Kind.ToString().ToLowerInvariant(),
    };

    public static void Write(Utf8JsonWriter w, VigilEvent e)
    {
        w.WriteStartObject();
        w.WriteString("time", e.Timestamp);
        w.WriteString("event.name", Name(e));
        WriteProcess(w, e.Process, e.Context);
        switch (e)
        {
            case ProcessExecEvent exec:
                w.WriteString("process.executable.path", exec.Binary);
                w.WriteString("process.command_line", string.Join(' ', exec.Args));
                w.WriteStartArray("process.command_args");
                foreach (string arg in exec.Args)
                {
                    w.WriteStringValue(arg);
                }
                w.WriteEndArray();
                if (exec.ArgsTruncated)
                {
                    w.WriteBoolean("vigil.args_truncated", true);
                }
                WriteExecDetails(w, exec.Details);
                break;
            case ProcessForkEvent fork:
                w.WriteNumber("vigil.child.pid", fork.ChildPid);
                w.WriteString("vigil.child.exec_id", fork.ChildExecId.ToString());
                break;
            case ProcessExitEvent exit:
                w.WriteNumber("process.exit.code", exit.ExitCode);
                w.WriteNumber("vigil.exit.signal", exit.Signal);
                if (exit.CoreDumped)
                {
                    w.WriteBoolean("vigil.exit.core_dumped", true);
                }
                break;
            case FileEvent file:
                w.WriteString("file.path", file.Path);
                if (file.TargetPath.Length > 0)
                {
                    w.WriteString("vigil.file.target_path", file.TargetPath);
                }
                w.WriteString("vigil.file.intent", file.Intent.ToString().ToLowerInvariant());
                w.WriteNumber("vigil.syscall.result", file.Result);
                break;
            case NetworkEvent net:
                w.WriteString("network.transport", net.Protocol == TransportProtocol.Tcp ? "tcp" : "udp");
                w.WriteString("network.io.direction", net.Direction == NetworkDirection.Outbound ? "transmit" : "receive");
                w.WriteString("source.address", net.SourceAddress.ToString());
                w.WriteNumber("source.port", net.SourcePort);
                w.WriteString("destination.address", net.DestinationAddress.ToString());
                w.WriteNumber("destination.port", net.DestinationPort);
                w.WriteNumber("vigil.network.bytes_sent", net.BytesSent);
                w.WriteNumber("vigil.network.bytes_received", net.BytesReceived);
                w.WriteNumber("vigil.syscall.result", net.Result);
                break;
            case PrivilegeEvent priv:
                w.WriteNumber("vigil.privilege.target", priv.Target);
                w.WriteNumber("vigil.privilege.flags", priv.Flags);
                if (priv.Name.Length > 0)
                {
                    w.WriteString("vigil.privilege.name", priv.Name);
                }
                if (priv.ToRoot)
                {
                    w.WriteBoolean("vigil.privilege.to_root", true);
                }
                w.WriteNumber("vigil.syscall.result", priv.Result);
                break;
            case SensorSamplingEvent sampling:
                w.WriteString("vigil.sensor.name", sampling.Sensor);
                w.WriteNumber("vigil.sensor.sampling_every", sampling.Every);
                w.WriteNumber("vigil.sensor.ring_fill", Math.Round(sampling.RingFill, 3));
                break;
            case GuardBanEvent ban:
                w.WriteString("vigil.xdp.network", ban.Network);
                w.WriteNumber("vigil.xdp.ttl_seconds", (long)ban.Ttl.TotalSeconds);
                w.WriteNumber("vigil.xdp.rate_pps", Math.Round(ban.EstimatedPps));
                w.WriteNumber("vigil.xdp.threshold_pps", ban.ThresholdPps);
                break;
            case IndicatorAppliedEvent indicator:
                w.WriteString("vigil.indicator.id", indicator.IndicatorId);
                w.WriteString("vigil.indicator.kind", indicator.IndicatorKind);
                w.WriteString("vigil.indicator.value", indicator.Value);
                w.WriteString("vigil.indicator.origin", indicator.Origin);
                w.WriteString("vigil.indicator.action", indicator.Action);
                break;
        }
        if (e.Policy is { } policy)
        {
            WritePolicy(w, policy);
        }
        w.WriteEndObject();
    }

    private static void WriteProcess(Utf8JsonWriter w, ProcessIdentity p, ProcessInfo? context)
    {
        w.WriteNumber("process.pid", p.Pid);
        w.WriteNumber("thread.id", p.Tid);
        w.WriteNumber("process.parent.pid", p.ParentPid);
        w.WriteString("process.name", p.Comm);
        w.WriteNumber("user.id", p.EffectiveUid);
        w.WriteNumber("process.real_user.id", p.Uid);
        w.WriteNumber("process.group.id", p.EffectiveGid);
        w.WriteNumber("process.real_group.id", p.Gid);
        w.WriteNumber("vigil.cgroup.id", p.CgroupId);
        w.WriteString("vigil.exec_id", p.ExecId.ToString());
        w.WriteString("vigil.parent.exec_id", p.ParentExecId.ToString());
        if (context?.Parent is { } parent)
        {
            w.WriteString("process.parent.executable.path", parent.Binary);
        }
        if (context?.Container is { } container)
        {
            w.WriteString("container.id", container.ShortId);
        }
    }

    private static void WritePolicy(Utf8JsonWriter w, PolicyMatch policy)
    {
        w.WriteStartArray("vigil.policy.rules");
        foreach (string rule in policy.Rules)
        {
            w.WriteStringValue(rule);
        }
        w.WriteEndArray();
        w.WriteNumber("vigil.policy.generation", policy.Generation);
        if (policy.Killed)
        {
            w.WriteBoolean("vigil.policy.killed", true);
        }
        if (policy.Suppressed > 0)
        {
            w.WriteNumber("vigil.policy.suppressed", policy.Suppressed);
        }
    }

    private static void WriteExecDetails(Utf8JsonWriter w, ExecDetails d)
    {
        if (d.Cwd.Length > 0)
        {
            w.WriteString("process.working_directory", d.Cwd);
        }
        w.WriteNumber("vigil.tty", d.Tty);
        w.WriteString("vigil.cap_effective", d.CapEffective.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("vigil.cap_permitted", d.CapPermitted.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        if (d.LoginUid != uint.MaxValue)
        {
            w.WriteNumber("vigil.login_uid", d.LoginUid);
        }
        if (d.ExeFromMemfd)
        {
            w.WriteBoolean("vigil.exe_from_memfd", true);
        }
    }
}
