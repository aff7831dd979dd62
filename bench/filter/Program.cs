// The agent side of one bench/filter network run (bench/filter/run starts it, runs the workload,
// then stops it):
//   kernel    the network sensor with a destination policy (the cloud metadata address, port 80):
//             the workload's events are judged and counted in the kernel, none shipped
//   user      the network sensor with no filter: every event shipped and judged in C# by the same rule
// Prints "ready" once attached; on end of input prints: agent_cpu=... shipped=... matched=... filtered=...
// (agent_cpu: this process's CPU seconds between the two).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Network;

string mode = args.Length > 0 ? args[0] : "kernel";
var metadata = IPNetwork.Parse("169.254.169.254/32");
const ushort Port = 80;
if (mode is not ("kernel" or "user"))
{
    Console.Error.WriteLine($"unknown mode {mode}: kernel or user");
    return 2;
}

var sink = new UserSpaceRule(metadata, Port);
var sensor = new NetworkSensor(sink, new NetworkSensorOptions(), NullLogger<NetworkSensor>.Instance);
if (mode == "kernel")
{
    sensor.Apply(new NetworkFilter
    {
        Rules = [new NetworkRule { Name = "metadata", Directions = NetworkDirections.Outbound, Destinations = [metadata], DestinationPorts = [PortRange.Single(Port)] }],
    });
}
using var host = new SensorHost([sensor], NullLogger<SensorHost>.Instance);
if (host.Start(new SensorOptions()) != 1)
{
    Console.Error.WriteLine($"network sensor: {sensor.Status.Reason}");
    return 1;
}

TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
Console.WriteLine("ready");
Console.In.ReadToEnd();
Thread.Sleep(200); // the reader drains what the ring still holds
double agent = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
Console.WriteLine(FormattableString.Invariant(
    $"agent_cpu={agent:F3} shipped={sink.Shipped} matched={sink.Matched} filtered={sensor.Counters.Filtered}"));
return 0;

/// <summary>The user-space mode's filter: every event arrives, the rule is evaluated here.</summary>
internal sealed class UserSpaceRule(IPNetwork destination, ushort port) : IEventSink
{
    private long _shipped;
    private long _matched;

    public long Shipped => Interlocked.Read(ref _shipped);

    public long Matched => Interlocked.Read(ref _matched);

    public void Publish(VigilEvent e)
    {
        Interlocked.Increment(ref _shipped);
        if (e is NetworkEvent { Direction: NetworkDirection.Outbound } n && n.DestinationPort == port && destination.Contains(n.DestinationAddress))
        {
            Interlocked.Increment(ref _matched);
        }
    }
}
