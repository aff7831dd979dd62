using Microsoft.Extensions.Logging;
using Vigil.Bpf;

namespace Vigil.Sensors.Judging;

/// <summary>
/// A sensor that judges its events against policy tables in the kernel: until a rule set is applied
/// nothing ships. Its event types are the names policies use for them.
/// </summary>
public abstract class JudgingSensor(ILogger logger) : Sensor(logger)
{
    /// <summary>The loaded sensor's policy tables; null until it runs.</summary>
    public PolicyTables? Tables { get; private set; }

    /// <summary>How full the sensor's ring is; null until it runs.</summary>
    public RingGauge? Ring { get; protected set; }

    /// <summary>Event-type names policies use, with the op number the kernel tables index.</summary>
    public abstract IReadOnlyDictionary<string, int> EventTypes { get; }

    protected override void Configure(BpfObject obj, SensorOptions options)
    {
        foreach (string skipped in SkipMissingTracepoints(obj))
        {
            Logger.LogInformation("sensor {Sensor}: {Program} left out, its tracepoint is not in this kernel", Name, skipped);
        }
    }

    protected override void CheckRecordLayouts(BtfInfo btf) => PolicyTables.CheckLayouts(btf);

    protected override void Connect(BpfObject obj, RingBufferReader reader) => Tables = new PolicyTables(obj);
}
