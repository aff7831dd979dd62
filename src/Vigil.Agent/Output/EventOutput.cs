using System.Threading.Channels;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>
/// A bounded queue between the ring reader and a slow writer (a terminal, a pipe): when it is
/// full the event is dropped and counted, so output never stalls the kernel reader.
/// </summary>
public sealed class EventOutput : IEventSink, IAsyncDisposable
{
    private readonly Channel<VigilEvent> _queue;
    private readonly Task _writer;
    private long _dropped;

    public EventOutput(IEventFormatter formatter, TextWriter target, int capacity = 65536)
    {
        _queue = Channel.CreateBounded<VigilEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(() => Drain(formatter, target));
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(VigilEvent e)
    {
        if (!_queue.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task Drain(IEventFormatter formatter, TextWriter target)
    {
        await foreach (VigilEvent e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            formatter.Write(target, e);
            if (_queue.Reader.Count == 0)
            {
                await target.FlushAsync().ConfigureAwait(false);
            }
        }
        await target.FlushAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
