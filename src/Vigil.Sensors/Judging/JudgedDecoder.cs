using Vigil.Bpf;
using Vigil.Events;

namespace Vigil.Sensors.Judging;

/// <summary>Turns a judging sensor's records into events, with the policy rules that let them through.</summary>
public abstract class JudgedDecoder(IEventSink sink) : IRecordConsumer
{
    private long _corrupt;

    /// <summary>Names the rules of each generation; set when the sensor runs.</summary>
    public PolicyTables? Tables { get; set; }

    /// <summary>Records that could not be decoded: counted, never guessed at.</summary>
    public long CorruptRecords => Interlocked.Read(ref _corrupt);

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        try
        {
            sink.Publish(Decode(record));
        }
        catch (CorruptRecordException)
        {
            Interlocked.Increment(ref _corrupt);
        }
    }

    /// <summary>One record as its event; throws <see cref="CorruptRecordException"/> for one that is not valid.</summary>
    public abstract VigilEvent Decode(ReadOnlySpan<byte> record);
}
