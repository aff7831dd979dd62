using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Network;

namespace Vigil.Agent.Host;

public enum CheckState
{
    Ok,
    Degraded,
    Failed,
    NotChecked,
}

/// <summary>One finding of <c>vigil doctor</c>: what works, or what does not and how to fix it.</summary>
public sealed record DoctorCheck(string Name, CheckState State, string Detail, string? Fix = null);

/// <summary>Checks everything the agent needs from the machine, and tries each sensor for real.</summary>
public static class Doctor
{
    public static List<DoctorCheck> Run(SensorOptions options)
    {
        var checks = new List<DoctorCheck>();
        bool privileged = Privileges.CanUseBpf(out string missing);
        checks.Add(privileged
            ? new("privileges", CheckState.Ok, "may load and attach BPF programs")
            : new("privileges", CheckState.Failed, $"missing {missing}", "run as root, or grant CAP_BPF and CAP_PERFMON"));
        checks.Add(Probe("bpf-syscall", privileged, "BPF syscall works (created a map)",
            () => BpfSystem.ProbeMap(BpfMapType.Array, 4, 8, 1), "the kernel needs CONFIG_BPF_SYSCALL=y and unprivileged access is not enough"));
        checks.Add(Probe("ring-buffer", privileged, "BPF ring buffers work",
            () => BpfSystem.ProbeMap(BpfMapType.RingBuffer, 0, 0, 4096), "ring buffers need Linux 5.8 or later"));
        checks.Add(File.Exists("/sys/kernel/btf/vmlinux")
            ? new("btf", CheckState.Ok, "kernel BTF at /sys/kernel/btf/vmlinux (CO-RE works)")
            : new("btf", CheckState.Failed, "no /sys/kernel/btf/vmlinux", "use a kernel built with CONFIG_DEBUG_INFO_BTF=y"));
        checks.Add(SystemMounts.IsTraceFsMounted
            ? new("tracefs", CheckState.Ok, $"mounted at {SystemMounts.TraceFs}")
            : new("tracefs", CheckState.Degraded, "not mounted: tracepoints cannot attach until it is",
                $"`vigil run` mounts it, or: mount -t tracefs tracefs {SystemMounts.TraceFs}"));
        checks.Add(SystemMounts.IsBpfFsMounted
            ? new("bpffs", CheckState.Ok, $"mounted at {SystemMounts.BpfFs}")
            : new("bpffs", CheckState.Degraded, "not mounted: state cannot be pinned across agent restarts",
                $"`vigil run` mounts it, or: mount -t bpf bpf {SystemMounts.BpfFs}"));
        checks.Add(Directory.Exists(options.ObjectDirectory)
            ? new("bpf-objects", CheckState.Ok, $"compiled programs in {options.ObjectDirectory}")
            : new("bpf-objects", CheckState.Failed, $"{options.ObjectDirectory} is missing", "rebuild: ./vigil builds them (needs clang, llvm, bpftool, libbpf-dev)"));
        checks.AddRange(TrySensors(options, privileged && SystemMounts.IsTraceFsMounted));
        return checks;
    }

    /// <summary>Loads and attaches each sensor, then detaches it: the same path `vigil run` takes.</summary>
    private static IEnumerable<DoctorCheck> TrySensors(SensorOptions options, bool possible)
    {
        using var reader = new RingBufferReader();
        foreach (Sensor sensor in NodeAgent.CreateSensors(new DiscardSink(), null, NullLoggerFactory.Instance, new NetworkSensorOptions()))
        {
            string name = "sensor:" + sensor.Name;
            if (!possible)
            {
                yield return new(name, CheckState.NotChecked, "needs privileges and tracefs");
                continue;
            }
            using (sensor)
            {
                sensor.Start(options, reader);
                SensorStatus status = sensor.Status;
                yield return status.State == SensorState.Running
                    ? new(name, CheckState.Ok, "loads and attaches")
                    : new(name, CheckState.Failed, status.Reason ?? "failed", status.VerifierLog is null ? null : "verifier log:\n" + status.VerifierLog);
            }
        }
    }

    private static DoctorCheck Probe(string name, bool possible, string ok, Action probe, string fix)
    {
        if (!possible)
        {
            return new(name, CheckState.NotChecked, "needs privileges");
        }
        try
        {
            probe();
            return new(name, CheckState.Ok, ok);
        }
        catch (BpfException ex)
        {
            return new(name, CheckState.Failed, ex.Message, fix);
        }
    }

    private sealed class DiscardSink : IEventSink
    {
        public void Publish(VigilEvent e) { }
    }
}
