using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>Receives ring-buffer records as spans over the mapped ring: valid only during the call.</summary>
public interface IRecordConsumer
{
    void OnRecord(ReadOnlySpan<byte> record);
}

/// <summary>
/// Reads one or more BPF ring buffers on the calling thread, in place in the mapped rings: no copy
/// and no native call per record. Producers may submit without waking the reader (batched
/// wake-ups), so every poll also drains what arrived without a wake-up.
/// </summary>
public sealed unsafe class RingBufferReader : IDisposable
{
    private readonly List<MappedRing> _rings = [];
    private RingGauge[] _gauges = []; // replaced, never changed, on Add: another thread may be reading it
    private readonly Lock _adding = new();
    private int _epoll = -1;
    private bool _disposed;
    private long _consumerFaults;

    /// <summary>Exceptions thrown by consumers; the record is skipped and reading goes on.</summary>
    public long ConsumerFaults => Interlocked.Read(ref _consumerFaults);

    public Exception? LastFault { get; private set; }

    /// <summary>A gauge of each ring read: its map name and how full it is; safe to read from another thread.</summary>
    public IReadOnlyList<RingGauge> Rings => Volatile.Read(ref _gauges);

    /// <summary>
    /// Reads <paramref name="ring"/> from now on; the gauge tells how full it is. Sensors starting
    /// side by side may add their rings at the same time, before reading starts.
    /// </summary>
    public RingGauge Add(BpfMap ring, IRecordConsumer consumer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ring.Type != BpfMapType.RingBuffer)
        {
            throw new ArgumentException($"{ring.Name} is a {ring.Type} map, not a ring buffer", nameof(ring));
        }
        lock (_adding)
        {
            return AddRing(ring, consumer);
        }
    }

    private RingGauge AddRing(BpfMap ring, IRecordConsumer consumer)
    {
        if (_epoll < 0)
        {
            _epoll = Libc.EpollCreate1(Libc.EpollCloexec);
            if (_epoll < 0)
            {
                throw new BpfException("create epoll for ring buffers", Marshal.GetLastPInvokeError());
            }
        }
        var mapped = new MappedRing(ring, consumer);
        byte* ev = stackalloc byte[Libc.EpollEventSize];
        new Span<byte>(ev, Libc.EpollEventSize).Clear();
        *(uint*)ev = Libc.EpollIn;
        if (Libc.EpollCtl(_epoll, Libc.EpollCtlAdd, mapped.Fd, ev) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            mapped.Dispose();
            throw new BpfException($"{ring.Name}: watch ring buffer", errno);
        }
        _rings.Add(mapped);
        var gauge = new RingGauge(mapped);
        Volatile.Write(ref _gauges, [.. _gauges, gauge]);
        return gauge;
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a wake-up, then drains every ring. Returns records read.</summary>
    public int Poll(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_disposed || _epoll < 0, this);
        const int MaxEvents = 16;
        byte* events = stackalloc byte[MaxEvents * Libc.EpollEventSize];
        if (Libc.EpollWait(_epoll, events, MaxEvents, timeoutMs) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                throw new BpfException("wait for ring buffers", errno);
            }
        }
        int read = 0;
        foreach (MappedRing ring in _rings)
        {
            read += ring.Drain(this);
        }
        return read;
    }

    /// <summary>Reads until cancelled; <paramref name="pollIntervalMs"/> bounds the delay of un-woken records.</summary>
    public void Run(CancellationToken cancel, int pollIntervalMs = 10)
    {
        while (!cancel.IsCancellationRequested)
        {
            Poll(pollIntervalMs);
        }
    }

    public void Dispose()
    {
        foreach (MappedRing ring in _rings)
        {
            ring.Dispose();
        }
        _rings.Clear();
        Volatile.Write(ref _gauges, []);
        if (_epoll >= 0)
        {
            Libc.Close(_epoll);
            _epoll = -1;
        }
        _disposed = true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Deliver(IRecordConsumer consumer, ReadOnlySpan<byte> record)
    {
        try
        {
            consumer.OnRecord(record);
        }
        catch (Exception ex)
        {
            // One bad record must not stop the reader: it is counted and skipped.
            Interlocked.Increment(ref _consumerFaults);
            LastFault = ex;
        }
    }
}
