using System.Runtime.InteropServices;
using Vigil.Sensors;

namespace Vigil.Bench.Ringbuf;

/// <summary>Mirror of <c>struct vigil_bench_record</c> (bpf/include/vigil/bench.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BenchRecord
{
    public RecordHeader Hdr;
    public uint Pid;
    public uint Tid;
    public fixed byte Payload[40];
}
