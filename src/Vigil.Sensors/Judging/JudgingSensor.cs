using Microsoft.Extensions.Logging;
using Vigil.Bpf;

namespace Vigil.Sensors.Judging;

/// <summary>
/// A sensor that judges its events against policy tables in the kernel: until a rule set is applied
/// nothing ships. Its object is NAME.bpf.o, its ring NAME_events; its event types are the names
/// policies use for them.
/// </summary>
public abstract class JudgingSensor(string name, JudgedDecoder decoder, IReadOnlyDictionary<string, int> eventTypes, ILogger logger)
    : Sensor(logger)
{
    public override string Name => name;

    public JudgedDecoder Decoder { get; } = decoder;

    /// <summary>The loaded sensor's policy tables; null until it runs.</summary>
    public PolicyTables? Tables { get; private set; }

    /// <summary>How full the sensor's ring is; null until it runs.</summary>
    public RingGauge? Ring { get; private set; }

    /// <summary>Event-type names policies use, with the op number the kernel tables index.</summary>
    public IReadOnlyDictionary<string, int> EventTypes { get; } = eventTypes;

    protected override string ObjectName => name;

    protected override void Configure(BpfObject obj, SensorOptions options)
    {
        foreach (string skipped in SkipMissingTracepoints(obj))
        {
            Logger.LogInformation("sensor {Sensor}: {Program} left out, its tracepoint is not in this kernel", Name, skipped);
        }
    }

    protected override void CheckRecordLayouts(BtfInfo btf) => PolicyTables.CheckLayouts(btf);

    protected override void Connect(BpfObject obj, RingBufferReader reader)
    {
        Tables = new PolicyTables(obj);
        Decoder.Tables = Tables;
        Ring = reader.Add(obj.Map(name + "_events"), Decoder);
    }
}
