namespace Vigil.Storage;

/// <summary>Times are stored as microseconds since the Unix epoch, UTC: integers that sort and index well.</summary>
internal static class StoreTime
{
    public static long ToMicros(DateTime time) => (time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc);
}
