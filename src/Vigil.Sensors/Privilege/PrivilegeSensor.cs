using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.Privilege;

/// <summary>
/// Privilege changes and tampering: the setuid family, capset, ptrace attach and writes,
/// memfd_create, module loading, bpf program loads, mount, unshare and setns, judged in the kernel
/// against the policies in force.
/// </summary>
public sealed class PrivilegeSensor(IEventSink sink, ILogger<PrivilegeSensor> logger) : JudgingSensor(logger)
{
    public override string Name => "privilege";

    public PrivilegeDecoder Decoder { get; } = new(sink);

    public override IReadOnlyDictionary<string, int> EventTypes => PrivilegeSyscalls.EventTypes;

    protected override string ObjectName => "privilege";

    protected override void CheckRecordLayouts(BtfInfo btf)
    {
        base.CheckRecordLayouts(btf);
        btf.CheckLayout<PrivilegeRecord>("vigil_privilege_record");
    }

    protected override void Connect(BpfObject obj, RingBufferReader reader)
    {
        base.Connect(obj, reader);
        Decoder.Tables = Tables;
        Ring = reader.Add(obj.Map("privilege_events"), Decoder);
    }
}
