using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Sensors;

namespace Vigil.Tests.Support;

/// <summary>Sensors started for one test and detached when it ends, pass or fail.</summary>
public sealed class SensorRun : IDisposable
{
    public SensorRun(IEnumerable<Sensor> sensors, SensorOptions? options = null)
    {
        KernelRequirement.Check();
        Host = new SensorHost(sensors, NullLogger<SensorHost>.Instance);
        Running = Host.Start(options ?? Options());
    }

    public SensorHost Host { get; }

    public int Running { get; }

    /// <summary>Test options: the test process is not filtered as "the agent" unless a test asks for it.</summary>
    public static SensorOptions Options(uint agentTgid = 0) => new()
    {
        AgentTgid = agentTgid,
        WakeupBytes = 0,
        RingBufferBytes = 1 << 20,
    };

    public void Dispose() => Host.Dispose();
}
