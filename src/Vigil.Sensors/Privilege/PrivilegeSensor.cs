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
public sealed class PrivilegeSensor(IEventSink sink, ILogger<PrivilegeSensor> logger)
    : JudgingSensor("privilege", new PrivilegeDecoder(sink), PrivilegeSyscalls.EventTypes, logger)
{
    protected override void CheckRecordLayouts(BtfInfo btf)
    {
        base.CheckRecordLayouts(btf);
        btf.CheckLayout<PrivilegeRecord>("vigil_privilege_record");
    }
}
