using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>Renders one event as one line of output.</summary>
public interface IEventFormatter
{
    void Write(TextWriter target, VigilEvent e);
}
