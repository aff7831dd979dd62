using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Vigil.Agent.Otlp;

/// <summary>Stamps each exported log record with when the kernel saw its event, not when it was logged.</summary>
internal sealed class EventTimeProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (data.Attributes is LogAttributes attributes)
        {
            data.Timestamp = attributes.Time;
        }
    }
}
