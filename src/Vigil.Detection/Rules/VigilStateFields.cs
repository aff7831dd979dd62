namespace Vigil.Detection.Rules;

/// <summary>Vigil's own stateful fields, filled by the trackers before rules run.</summary>
internal static class VigilStateFields
{
    public static void Register(FieldRegistry r)
    {
        r.Bool("vigil.first_connect", "FirstConnectTracker: true on the first outbound connect of a binary; missing for other events", c => c.FirstConnect);
        r.Number("vigil.exe_written_age", "ExecutableWriteTracker: on exec, milliseconds since the binary was last written; missing if not seen written", c => c.ExeWrittenAgeMs);
    }
}
