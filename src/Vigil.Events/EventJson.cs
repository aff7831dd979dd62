using System.Text.Json;

namespace Vigil.Events;

/// <summary>
/// Writes events as flat JSON objects with OpenTelemetry semantic-convention attribute names
/// (docs/events.md), so collectors and SIEMs map them without glue.
/// </summary>
public static class EventJson
{
    // Names and intents are a handful of strings: made once, not for every event the store and sinks write.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Family, string Syscall), string> SyscallNames = new();
    private static readonly string[] Intents = [.. Enumerable.Range(0, 16).Select(i => ((FileIntent)i).ToString().ToLowerInvariant())];

    public static string Name(VigilEvent e) => e switch
    {
        ProcessExecEvent => "process.exec",
        ProcessForkEvent => "process.fork",
        ProcessExitEvent => "process.exit",
        FileEvent => SyscallName("file.", ((FileEvent)e).Syscall),
        NetworkEvent => SyscallName("network.", ((NetworkEvent)e).Syscall),
        PrivilegeEvent => SyscallName("privilege.", ((PrivilegeEvent)e).Syscall),
        GuardBanEvent => "xdp.ban",
        SensorSamplingEvent => "sensor.sampling",
        IndicatorAppliedEvent => "fleet.indicator",
        _ => e.Kind.ToString().ToLowerInvariant(),
    };

    private static string SyscallName(string family, string syscall) => SyscallNames.GetOrAdd((family, syscall), static k => k.Family + k.Syscall);

    /// <summary>A file intent as written: flag names in lower case ("write, create").</summary>
    private static string IntentName(FileIntent intent) => (uint)intent < (uint)Intents.Length ? Intents[(int)intent] : intent.ToString().ToLowerInvariant();

    public static void Write(Utf8JsonWriter w, VigilEvent e)
    {
        w.WriteStartObject();
        w.WriteString(Names.Time, e.Timestamp);
        w.WriteString(Names.EventName, Name(e));
        WriteProcess(w, e.Process, e.Context);
        switch (e)
        {
            case ProcessExecEvent exec:
                w.WriteString(Names.ProcessExecutablePath, exec.Binary);
                w.WriteString(Names.ProcessCommandLine, string.Join(' ', exec.Args));
                w.WriteStartArray(Names.ProcessCommandArgs);
                foreach (string arg in exec.Args)
                {
                    w.WriteStringValue(arg);
                }
                w.WriteEndArray();
                if (exec.ArgsTruncated)
                {
                    w.WriteBoolean(Names.VigilArgsTruncated, true);
                }
                WriteExecDetails(w, exec.Details);
                break;
            case ProcessForkEvent fork:
                w.WriteNumber(Names.VigilChildPid, fork.ChildPid);
                WriteExecId(w, Names.VigilChildExecId, fork.ChildExecId);
                break;
            case ProcessExitEvent exit:
                w.WriteNumber(Names.ProcessExitCode, exit.ExitCode);
                w.WriteNumber(Names.VigilExitSignal, exit.Signal);
                if (exit.CoreDumped)
                {
                    w.WriteBoolean(Names.VigilExitCoreDumped, true);
                }
                break;
            case FileEvent file:
                w.WriteString(Names.FilePath, file.Path);
                if (file.TargetPath.Length > 0)
                {
                    w.WriteString(Names.VigilFileTargetPath, file.TargetPath);
                }
                w.WriteString(Names.VigilFileIntent, IntentName(file.Intent));
                w.WriteNumber(Names.VigilSyscallResult, file.Result);
                break;
            case NetworkEvent net:
                w.WriteString(Names.NetworkTransport, net.Protocol == TransportProtocol.Tcp ? "tcp" : "udp");
                w.WriteString(Names.NetworkIoDirection, net.Direction == NetworkDirection.Outbound ? "transmit" : "receive");
                WriteAddress(w, Names.SourceAddress, net.SourceAddress);
                w.WriteNumber(Names.SourcePort, net.SourcePort);
                WriteAddress(w, Names.DestinationAddress, net.DestinationAddress);
                w.WriteNumber(Names.DestinationPort, net.DestinationPort);
                w.WriteNumber(Names.VigilNetworkBytesSent, net.BytesSent);
                w.WriteNumber(Names.VigilNetworkBytesReceived, net.BytesReceived);
                w.WriteNumber(Names.VigilSyscallResult, net.Result);
                break;
            case PrivilegeEvent priv:
                w.WriteNumber(Names.VigilPrivilegeTarget, priv.Target);
                w.WriteNumber(Names.VigilPrivilegeFlags, priv.Flags);
                if (priv.Name.Length > 0)
                {
                    w.WriteString(Names.VigilPrivilegeName, priv.Name);
                }
                if (priv.ToRoot)
                {
                    w.WriteBoolean(Names.VigilPrivilegeToRoot, true);
                }
                w.WriteNumber(Names.VigilSyscallResult, priv.Result);
                break;
            case SensorSamplingEvent sampling:
                w.WriteString(Names.VigilSensorName, sampling.Sensor);
                w.WriteNumber(Names.VigilSensorSamplingEvery, sampling.Every);
                w.WriteNumber(Names.VigilSensorRingFill, Math.Round(sampling.RingFill, 3));
                break;
            case GuardBanEvent ban:
                w.WriteString(Names.VigilXdpNetwork, ban.Network);
                w.WriteNumber(Names.VigilXdpTtlSeconds, (long)ban.Ttl.TotalSeconds);
                w.WriteNumber(Names.VigilXdpRatePps, Math.Round(ban.EstimatedPps));
                w.WriteNumber(Names.VigilXdpThresholdPps, ban.ThresholdPps);
                break;
            case IndicatorAppliedEvent indicator:
                w.WriteString(Names.VigilIndicatorId, indicator.IndicatorId);
                w.WriteString(Names.VigilIndicatorKind, indicator.IndicatorKind);
                w.WriteString(Names.VigilIndicatorValue, indicator.Value);
                w.WriteString(Names.VigilIndicatorOrigin, indicator.Origin);
                w.WriteString(Names.VigilIndicatorAction, indicator.Action);
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
        w.WriteNumber(Names.ProcessPid, p.Pid);
        w.WriteNumber(Names.ThreadId, p.Tid);
        w.WriteNumber(Names.ProcessParentPid, p.ParentPid);
        w.WriteString(Names.ProcessName, p.Comm);
        w.WriteNumber(Names.UserId, p.EffectiveUid);
        w.WriteNumber(Names.ProcessRealUserId, p.Uid);
        w.WriteNumber(Names.ProcessGroupId, p.EffectiveGid);
        w.WriteNumber(Names.ProcessRealGroupId, p.Gid);
        w.WriteNumber(Names.VigilCgroupId, p.CgroupId);
        WriteExecId(w, Names.VigilExecId, p.ExecId);
        WriteExecId(w, Names.VigilParentExecId, p.ParentExecId);
        if (context?.Parent is { } parent)
        {
            w.WriteString(Names.ProcessParentExecutablePath, parent.Binary);
        }
        if (context?.Container is { } container)
        {
            w.WriteString(Names.ContainerId, container.ShortId);
        }
    }

    private static void WritePolicy(Utf8JsonWriter w, PolicyMatch policy)
    {
        w.WriteStartArray(Names.VigilPolicyRules);
        foreach (string rule in policy.Rules)
        {
            w.WriteStringValue(rule);
        }
        w.WriteEndArray();
        w.WriteNumber(Names.VigilPolicyGeneration, policy.Generation);
        if (policy.Killed)
        {
            w.WriteBoolean(Names.VigilPolicyKilled, true);
        }
        if (policy.Suppressed > 0)
        {
            w.WriteNumber(Names.VigilPolicySuppressed, policy.Suppressed);
        }
    }

    private static void WriteExecDetails(Utf8JsonWriter w, ExecDetails d)
    {
        if (d.Cwd.Length > 0)
        {
            w.WriteString(Names.ProcessWorkingDirectory, d.Cwd);
        }
        w.WriteNumber(Names.VigilTty, d.Tty);
        w.WriteString(Names.VigilCapEffective, d.CapEffective.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString(Names.VigilCapPermitted, d.CapPermitted.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        if (d.LoginUid != uint.MaxValue)
        {
            w.WriteNumber(Names.VigilLoginUid, d.LoginUid);
        }
        if (d.ExeFromMemfd)
        {
            w.WriteBoolean(Names.VigilExeFromMemfd, true);
        }
    }

    private static void WriteExecId(Utf8JsonWriter w, JsonEncodedText name, ExecId id)
    {
        Span<char> text = stackalloc char[ExecId.MaxLength];
        id.TryFormat(text, out int length);
        w.WriteString(name, text[..length]);
    }

    private static void WriteAddress(Utf8JsonWriter w, JsonEncodedText name, System.Net.IPAddress address)
    {
        // An IPv6 address with a scope id is at most 56 characters.
        Span<char> text = stackalloc char[64];
        address.TryFormat(text, out int length);
        w.WriteString(name, text[..length]);
    }

    /// <summary>The attribute names, encoded once instead of checked and transcoded for every event.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
        public static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event.name");
        public static readonly JsonEncodedText ProcessExecutablePath = JsonEncodedText.Encode("process.executable.path");
        public static readonly JsonEncodedText ProcessCommandLine = JsonEncodedText.Encode("process.command_line");
        public static readonly JsonEncodedText ProcessCommandArgs = JsonEncodedText.Encode("process.command_args");
        public static readonly JsonEncodedText VigilArgsTruncated = JsonEncodedText.Encode("vigil.args_truncated");
        public static readonly JsonEncodedText VigilChildPid = JsonEncodedText.Encode("vigil.child.pid");
        public static readonly JsonEncodedText VigilChildExecId = JsonEncodedText.Encode("vigil.child.exec_id");
        public static readonly JsonEncodedText ProcessExitCode = JsonEncodedText.Encode("process.exit.code");
        public static readonly JsonEncodedText VigilExitSignal = JsonEncodedText.Encode("vigil.exit.signal");
        public static readonly JsonEncodedText VigilExitCoreDumped = JsonEncodedText.Encode("vigil.exit.core_dumped");
        public static readonly JsonEncodedText FilePath = JsonEncodedText.Encode("file.path");
        public static readonly JsonEncodedText VigilFileTargetPath = JsonEncodedText.Encode("vigil.file.target_path");
        public static readonly JsonEncodedText VigilFileIntent = JsonEncodedText.Encode("vigil.file.intent");
        public static readonly JsonEncodedText VigilSyscallResult = JsonEncodedText.Encode("vigil.syscall.result");
        public static readonly JsonEncodedText NetworkTransport = JsonEncodedText.Encode("network.transport");
        public static readonly JsonEncodedText NetworkIoDirection = JsonEncodedText.Encode("network.io.direction");
        public static readonly JsonEncodedText SourceAddress = JsonEncodedText.Encode("source.address");
        public static readonly JsonEncodedText SourcePort = JsonEncodedText.Encode("source.port");
        public static readonly JsonEncodedText DestinationAddress = JsonEncodedText.Encode("destination.address");
        public static readonly JsonEncodedText DestinationPort = JsonEncodedText.Encode("destination.port");
        public static readonly JsonEncodedText VigilNetworkBytesSent = JsonEncodedText.Encode("vigil.network.bytes_sent");
        public static readonly JsonEncodedText VigilNetworkBytesReceived = JsonEncodedText.Encode("vigil.network.bytes_received");
        public static readonly JsonEncodedText VigilPrivilegeTarget = JsonEncodedText.Encode("vigil.privilege.target");
        public static readonly JsonEncodedText VigilPrivilegeFlags = JsonEncodedText.Encode("vigil.privilege.flags");
        public static readonly JsonEncodedText VigilPrivilegeName = JsonEncodedText.Encode("vigil.privilege.name");
        public static readonly JsonEncodedText VigilPrivilegeToRoot = JsonEncodedText.Encode("vigil.privilege.to_root");
        public static readonly JsonEncodedText VigilSensorName = JsonEncodedText.Encode("vigil.sensor.name");
        public static readonly JsonEncodedText VigilSensorSamplingEvery = JsonEncodedText.Encode("vigil.sensor.sampling_every");
        public static readonly JsonEncodedText VigilSensorRingFill = JsonEncodedText.Encode("vigil.sensor.ring_fill");
        public static readonly JsonEncodedText VigilXdpNetwork = JsonEncodedText.Encode("vigil.xdp.network");
        public static readonly JsonEncodedText VigilXdpTtlSeconds = JsonEncodedText.Encode("vigil.xdp.ttl_seconds");
        public static readonly JsonEncodedText VigilXdpRatePps = JsonEncodedText.Encode("vigil.xdp.rate_pps");
        public static readonly JsonEncodedText VigilXdpThresholdPps = JsonEncodedText.Encode("vigil.xdp.threshold_pps");
        public static readonly JsonEncodedText VigilIndicatorId = JsonEncodedText.Encode("vigil.indicator.id");
        public static readonly JsonEncodedText VigilIndicatorKind = JsonEncodedText.Encode("vigil.indicator.kind");
        public static readonly JsonEncodedText VigilIndicatorValue = JsonEncodedText.Encode("vigil.indicator.value");
        public static readonly JsonEncodedText VigilIndicatorOrigin = JsonEncodedText.Encode("vigil.indicator.origin");
        public static readonly JsonEncodedText VigilIndicatorAction = JsonEncodedText.Encode("vigil.indicator.action");
        public static readonly JsonEncodedText ProcessPid = JsonEncodedText.Encode("process.pid");
        public static readonly JsonEncodedText ThreadId = JsonEncodedText.Encode("thread.id");
        public static readonly JsonEncodedText ProcessParentPid = JsonEncodedText.Encode("process.parent.pid");
        public static readonly JsonEncodedText ProcessName = JsonEncodedText.Encode("process.name");
        public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user.id");
        public static readonly JsonEncodedText ProcessRealUserId = JsonEncodedText.Encode("process.real_user.id");
        public static readonly JsonEncodedText ProcessGroupId = JsonEncodedText.Encode("process.group.id");
        public static readonly JsonEncodedText ProcessRealGroupId = JsonEncodedText.Encode("process.real_group.id");
        public static readonly JsonEncodedText VigilCgroupId = JsonEncodedText.Encode("vigil.cgroup.id");
        public static readonly JsonEncodedText VigilExecId = JsonEncodedText.Encode("vigil.exec_id");
        public static readonly JsonEncodedText VigilParentExecId = JsonEncodedText.Encode("vigil.parent.exec_id");
        public static readonly JsonEncodedText ProcessParentExecutablePath = JsonEncodedText.Encode("process.parent.executable.path");
        public static readonly JsonEncodedText ContainerId = JsonEncodedText.Encode("container.id");
        public static readonly JsonEncodedText VigilPolicyRules = JsonEncodedText.Encode("vigil.policy.rules");
        public static readonly JsonEncodedText VigilPolicyGeneration = JsonEncodedText.Encode("vigil.policy.generation");
        public static readonly JsonEncodedText VigilPolicyKilled = JsonEncodedText.Encode("vigil.policy.killed");
        public static readonly JsonEncodedText VigilPolicySuppressed = JsonEncodedText.Encode("vigil.policy.suppressed");
        public static readonly JsonEncodedText ProcessWorkingDirectory = JsonEncodedText.Encode("process.working_directory");
        public static readonly JsonEncodedText VigilTty = JsonEncodedText.Encode("vigil.tty");
        public static readonly JsonEncodedText VigilCapEffective = JsonEncodedText.Encode("vigil.cap_effective");
        public static readonly JsonEncodedText VigilCapPermitted = JsonEncodedText.Encode("vigil.cap_permitted");
        public static readonly JsonEncodedText VigilLoginUid = JsonEncodedText.Encode("vigil.login_uid");
        public static readonly JsonEncodedText VigilExeFromMemfd = JsonEncodedText.Encode("vigil.exe_from_memfd");
    }
}
