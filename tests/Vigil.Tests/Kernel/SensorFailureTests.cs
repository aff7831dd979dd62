using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Process;
using Vigil.Tests.Support;

namespace Vigil.Tests.Kernel;

public sealed class SensorFailureTests
{
    /// <summary>A sensor over tests/Vigil.Tests/bpf/invalid.bpf.c, which the verifier must reject.</summary>
    private sealed class InvalidSensor() : Sensor(NullLogger.Instance)
    {
        public override string Name => "invalid";

        protected override string ObjectName => "invalid";

        protected override void CheckRecordLayouts(BtfInfo btf) { }

        protected override void Connect(BpfObject obj, RingBufferReader reader) { }
    }

    /// <summary>A sensor over tests/Vigil.Tests/bpf/missing_tracepoint.bpf.c: loads, then one attach fails.</summary>
    private sealed class MissingTracepointSensor() : Sensor(NullLogger.Instance)
    {
        public override string Name => "missing-tracepoint";

        protected override string ObjectName => "missing_tracepoint";

        protected override void CheckRecordLayouts(BtfInfo btf) { }

        protected override void Connect(BpfObject obj, RingBufferReader reader) { }
    }

    /// <summary>A sensor whose C# mirror disagrees with the C struct it claims to mirror.</summary>
    private sealed class MismatchedSensor() : Sensor(NullLogger.Instance)
    {
        public override string Name => "mismatched";

        protected override string ObjectName => "process";

        protected override void CheckRecordLayouts(BtfInfo btf) => btf.CheckLayout<ForkRecord>("vigil_exit_record");

        protected override void Connect(BpfObject obj, RingBufferReader reader) { }
    }

    [Fact]
    public void A_verifier_rejection_degrades_that_sensor_with_its_log_and_the_others_keep_running()
    {
        var sink = new CollectingSink();
        var invalid = new InvalidSensor();
        var process = new ProcessSensor(sink, NullLogger<ProcessSensor>.Instance);
        using var run = new SensorRun([invalid, process]);

        Assert.Equal(1, run.Running);
        Assert.Equal(SensorState.Failed, invalid.Status.State);
        Assert.Contains("kernel rejected invalid.bpf.o", invalid.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("invalid mem access 'map_value_or_null'", invalid.Status.VerifierLog, StringComparison.Ordinal);
        Assert.Equal(SensorState.Running, process.Status.State);

        using var child = Children.Start("/bin/sh", "-c", "exit 0", Children.Marker());
        child.WaitForExit();
        sink.WaitFor<ProcessExecEvent>(e => e.Process.Pid == (uint)child.Id);
    }

    [Fact]
    public void A_record_mirror_that_disagrees_with_the_btf_fails_loudly_before_load()
    {
        var sensor = new MismatchedSensor();
        using var run = new SensorRun([sensor]);

        Assert.Equal(0, run.Running);
        Assert.Equal(SensorState.Failed, sensor.Status.State);
        Assert.Contains("ForkRecord does not mirror struct vigil_exit_record", sensor.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("vigil_exit_record.exit_code: missing in C#", sensor.Status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tracepoint_fails_the_sensor_and_leaves_nothing_attached()
    {
        var sensor = new MissingTracepointSensor();
        List<int> before = Bpftool.ProgramsHeldBy(Environment.ProcessId);
        using var run = new SensorRun([sensor]);

        Assert.Equal(SensorState.Failed, sensor.Status.State);
        Assert.Contains("does_not_attach", sensor.Status.Reason, StringComparison.Ordinal);
        Assert.Equal(before, Bpftool.ProgramsHeldBy(Environment.ProcessId));
    }

    [Fact]
    public void A_missing_object_file_is_a_reported_failure()
    {
        var sensor = new ProcessSensor(new CollectingSink(), NullLogger<ProcessSensor>.Instance);
        using var run = new SensorRun([sensor], SensorRun.Options() with { ObjectDirectory = "/nonexistent/vigil" });

        Assert.Equal(SensorState.Failed, sensor.Status.State);
        Assert.Contains("/nonexistent/vigil/process.bpf.o not found", sensor.Status.Reason, StringComparison.Ordinal);
    }
}
