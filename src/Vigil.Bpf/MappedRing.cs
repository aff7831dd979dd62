using System.Runtime.CompilerServices;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>
/// One BPF ring buffer mapped into this process, read in place: the consumer-position page
/// (writable), then the producer-position page followed by the data, which the kernel maps twice
/// back to back so that a record wrapping the end is still contiguous.
/// </summary>
internal sealed unsafe class MappedRing : IDisposable
{
    private const uint BusyBit = 1u << 31;
    private const uint DiscardBit = 1u << 30;
    private const int RecordHeaderSize = 8;

    /// <summary>Consumed bytes after which space is handed back to producers, even mid-batch.</summary>
    private const ulong ReleaseBytes = 64 << 10;

    private readonly nuint _pageSize = (nuint)Environment.SystemPageSize;
    private readonly nuint _dataMapLength;
    private readonly ulong _mask;
    private ulong* _consumerPos;
    private ulong* _producerPos;
    private byte* _data;

    public MappedRing(BpfMap map, IRecordConsumer consumer)
    {
        Name = map.Name;
        Fd = map.Fd;
        Consumer = consumer;
        _mask = (ulong)map.MaxEntries - 1;
        _dataMapLength = _pageSize + 2 * (nuint)map.MaxEntries;
        _consumerPos = (ulong*)Map(_pageSize, Libc.ProtRead | Libc.ProtWrite, 0);
        try
        {
            _producerPos = (ulong*)Map(_dataMapLength, Libc.ProtRead, (nint)_pageSize);
        }
        catch (BpfException)
        {
            Libc.Munmap(_consumerPos, _pageSize);
            throw;
        }
        _data = (byte*)_producerPos + _pageSize;
    }

    public string Name { get; }

    public int Fd { get; }

    public IRecordConsumer Consumer { get; }

    /// <summary>The share of the ring holding records not yet consumed (0 to 1); 0 once unmapped.</summary>
    public double Fill
    {
        get
        {
            ulong* consumer = _consumerPos, producer = _producerPos;
            return consumer is null ? 0 : (Volatile.Read(ref *producer) - Volatile.Read(ref *consumer)) / (double)(_mask + 1);
        }
    }

    /// <summary>Hands every committed record to the consumer; stops at one still being written.</summary>
    public int Drain(RingBufferReader reader)
    {
        int count = 0;
        ulong consumed = Volatile.Read(ref *_consumerPos);
        ulong released = consumed;
        ulong produced;
        while (consumed < (produced = Volatile.Read(ref *_producerPos)))
        {
            while (consumed < produced)
            {
                byte* header = _data + (consumed & _mask);
                uint length = Volatile.Read(ref *(uint*)header);
                if ((length & BusyBit) != 0)
                {
                    Release(consumed);
                    return count;
                }
                uint size = length & ~(BusyBit | DiscardBit);
                if ((length & DiscardBit) == 0)
                {
                    reader.Deliver(Consumer, new ReadOnlySpan<byte>(header + RecordHeaderSize, (int)size));
                    count++;
                }
                consumed += (size + RecordHeaderSize + 7) & ~7u;
                if (consumed - released >= ReleaseBytes)
                {
                    Release(consumed);
                    released = consumed;
                }
            }
        }
        Release(consumed);
        return count;
    }

    public void Dispose()
    {
        if (_consumerPos is not null)
        {
            Libc.Munmap(_consumerPos, _pageSize);
            Libc.Munmap(_producerPos, _dataMapLength);
            _consumerPos = null;
            _producerPos = null;
            _data = null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Release(ulong consumed) => Volatile.Write(ref *_consumerPos, consumed);

    private void* Map(nuint length, int protection, nint offset)
    {
        void* address = Libc.Mmap(null, length, protection, Libc.MapShared, Fd, offset);
        if (address == (void*)-1)
        {
            throw new BpfException($"{Name}: map ring buffer", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        return address;
    }
}
