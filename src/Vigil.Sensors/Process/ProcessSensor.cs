using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Process;

/// <summary>
/// Exec, fork and exit of processes (threads are filtered out in the kernel); the paths of the cgroups
/// created meanwhile go to <paramref name="cgroups"/>.
/// </summary>
public sealed class ProcessSensor(IEventSink sink, ILogger<ProcessSensor> logger, ICgroupSink? cgroups = null) : Sensor(logger)
{
    public override string Name => "process";

    public ProcessDecoder Decoder { get; } = new(sink, cgroups);

    protected override string ObjectName => "process";

    protected override void Configure(BpfObject obj, SensorOptions options) =>
        obj.SetGlobal("vigil_args_budget", (uint)options.ArgsBudget);

    protected override void CheckRecordLayouts(BtfInfo btf)
    {
        btf.CheckLayout<ExecRecord>("vigil_exec_record");
        btf.CheckLayout<ForkRecord>("vigil_fork_record");
        btf.CheckLayout<ExitRecord>("vigil_exit_record");
        btf.CheckLayout<CgroupRecord>("vigil_cgroup_record");
    }

    protected override void Connect(BpfObject obj, RingBufferReader reader) =>
        reader.Add(obj.Map("process_events"), Decoder);
}
