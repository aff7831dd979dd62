using Vigil.Bpf;
using Vigil.Sensors;

namespace Vigil.Bench.Ringbuf;

/// <summary>Counts records, reading one field of each as a decoder would; allocates nothing.</summary>
public sealed class BenchRecordCounter : IRecordConsumer
{
    public long Events { get; private set; }

    /// <summary>Records of another kind: a sign of a layout or filter bug.</summary>
    public long Unexpected { get; private set; }

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        if (RecordReader.Fixed<BenchRecord>(record).Hdr.Kind == (ushort)RecordKind.Bench)
        {
            Events++;
        }
        else
        {
            Unexpected++;
        }
    }
}
