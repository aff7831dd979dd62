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
/// Reads one or more BPF ring buffers on the calling thread. Producers may submit without waking
/// the reader (batched wake-ups), so every poll also drains what arrived without a wake-up.
/// </summary>
public sealed unsafe class RingBufferReader : IDisposable
{
    private nint _ring;
    private readonly List<GCHandle> _consumers = [];
    private long _consumerFaults;

    /// <summary>Exceptions thrown by consumers; the record is skipped and reading goes on.</summary>
    public long ConsumerFaults => Interlocked.Read(ref _consumerFaults);

    public Exception? LastFault { get; private set; }

    public void Add(BpfMap ring, IRecordConsumer consumer)
    {
        if (ring.Type != BpfMapType.RingBuffer)
        {
            throw new ArgumentException($"{ring.Name} is a {ring.Type} map, not a ring buffer", nameof(ring));
        }
        var entry = new Entry(this, consumer);
        GCHandle handle = GCHandle.Alloc(entry);
        _consumers.Add(handle);
        nint ctx = GCHandle.ToIntPtr(handle);
        if (_ring == 0)
        {
            _ring = Libbpf.RingBufferNew(ring.Fd, &OnSample, ctx, null);
            if (_ring == 0)
            {
                throw new BpfException($"{ring.Name}: open ring buffer", Marshal.GetLastPInvokeError());
            }
        }
        else
        {
            BpfException.Check(Libbpf.RingBufferAdd(_ring, ring.Fd, &OnSample, ctx), $"{ring.Name}: add ring buffer");
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a wake-up, then drains every ring. Returns records read.</summary>
    public int Poll(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_ring == 0, this);
        int polled = Libbpf.RingBufferPoll(_ring, timeoutMs);
        if (polled < 0 && polled != -4 /* EINTR */)
        {
            BpfException.Check(polled, "poll ring buffers");
        }
        int drained = BpfException.Check(Libbpf.RingBufferConsume(_ring), "consume ring buffers");
        return Math.Max(polled, 0) + drained;
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
        if (_ring != 0)
        {
            Libbpf.RingBufferFree(_ring);
            _ring = 0;
        }
        foreach (GCHandle h in _consumers)
        {
            h.Free();
        }
        _consumers.Clear();
    }

    [UnmanagedCallersOnly]
    private static int OnSample(nint ctx, void* data, nuint size)
    {
        var entry = Unsafe.As<Entry>(GCHandle.FromIntPtr(ctx).Target!);
        try
        {
            entry.Consumer.OnRecord(new ReadOnlySpan<byte>(data, (int)size));
        }
        catch (Exception ex)
        {
            // An exception must never unwind into libbpf; the record is counted and skipped.
            Interlocked.Increment(ref entry.Reader._consumerFaults);
            entry.Reader.LastFault = ex;
        }
        return 0;
    }

    private sealed record Entry(RingBufferReader Reader, IRecordConsumer Consumer);
}
