using Microsoft.Extensions.Logging;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors.Judging;

namespace Vigil.Sensors.File;

/// <summary>
/// The open family, unlink, rename, chmod, chown, link and symlink, with paths made absolute in the
/// kernel and judged there against the policies in force: only what a rule wants is shipped.
/// </summary>
public sealed class FileSensor(IEventSink sink, ILogger<FileSensor> logger)
    : JudgingSensor("file", new FileDecoder(sink), FileSyscalls.EventTypes, logger)
{
    protected override void CheckRecordLayouts(BtfInfo btf)
    {
        base.CheckRecordLayouts(btf);
        btf.CheckLayout<FileRecord>("vigil_file_record");
    }
}
