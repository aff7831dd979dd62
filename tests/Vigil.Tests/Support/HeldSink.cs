using Vigil.Events;

namespace Vigil.Tests.Support;

/// <summary>
/// Holds the ring reader in front of the next sink until released, as an agent busy elsewhere is:
/// the kernel keeps filling the rings meanwhile, and the records are handled in order afterwards.
/// Release it in a finally: a sensor host cannot stop while its reader is held.
/// </summary>
public sealed class HeldSink(IEventSink next) : IEventSink
{
    private readonly ManualResetEventSlim _released = new();

    public void Publish(VigilEvent e)
    {
        _released.Wait();
        next.Publish(e);
    }

    public void Release() => _released.Set();
}
