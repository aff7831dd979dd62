// The agent side of one bench/filter run (bench/filter/run starts it, runs the workload, stops it
// with SIGTERM and reads its CPU from /proc):
//   file kernel  the file sensor with the /etc integrity rule in its kernel tables: only matches ship
//   file user    the file sensor shipping every open; the same rule applied here to each event
//   net kernel   the network sensor with a destination rule (the cloud metadata address, port 80)
//                judged in the kernel: only matches ship
//   net user     the network sensor with no filter: every connect, accept and close shipped and
//                judged here by the same rule
// Prints "ready" once attached, and what it saw when stopped.
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Network;

if (args.Length != 2 || args[0] is not ("file" or "net") || args[1] is not ("kernel" or "user"))
{
    Console.Error.WriteLine("usage: Vigil.Bench.Filter file|net kernel|user");
    return 2;
}
bool inKernel = args[1] == "kernel";
var rule = new UserSpaceRule();
Sensor sensor;
Func<string> kernelCounts;
if (args[0] == "file")
{
    var file = new FileSensor(rule, NullLogger<FileSensor>.Instance);
    sensor = file;
    kernelCounts = () => $"unmatched_in_kernel={file.Tables?.Unmatched} kernel_drops={file.KernelDrops}";
}
else
{
    var net = new NetworkSensor(rule, new NetworkSensorOptions(), NullLogger<NetworkSensor>.Instance);
    if (inKernel)
    {
        net.Apply(new NetworkFilter
        {
            Rules =
            [
                new NetworkRule
                {
                    Name = "metadata",
                    Directions = NetworkDirections.Outbound,
                    Destinations = [UserSpaceRule.Metadata],
                    DestinationPorts = [PortRange.Single(UserSpaceRule.MetadataPort)],
                },
            ],
        });
    }
    sensor = net;
    kernelCounts = () => $"filtered_in_kernel={net.Counters.Filtered}";
}

using (sensor)
{
    using var host = new SensorHost([sensor], NullLogger<SensorHost>.Instance);
    if (host.Start(new SensorOptions()) != 1)
    {
        Console.Error.WriteLine($"{args[0]} sensor: {sensor.Status.Reason}");
        return 1;
    }
    if (sensor is FileSensor fileSensor)
    {
        fileSensor.Tables!.Apply(
        [
            new JudgeRule
            {
                Name = inKernel ? "etc-writes" : "every-open",
                Ops = [0],
                PathPrefixes = [inKernel ? UserSpaceRule.EtcPrefix : "/"],
                Intent = inKernel ? UserSpaceRule.Writes : FileIntent.None,
            },
        ]);
    }
    using var stop = new ManualResetEventSlim();
    using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
    {
        c.Cancel = true;
        stop.Set();
    });
    Console.WriteLine("ready");
    stop.Wait();
    Console.WriteLine($"shipped={rule.Shipped} matched={rule.Matched} {kernelCounts()}");
}
return 0;

/// <summary>
/// The policy as user space applies it to every event that ships: opens under /etc/ that write,
/// create or truncate; outbound connections to the cloud metadata address, port 80.
/// </summary>
internal sealed class UserSpaceRule : IEventSink
{
    public const string EtcPrefix = "/etc/";
    public const FileIntent Writes = FileIntent.Write | FileIntent.Create | FileIntent.Truncate;
    public const ushort MetadataPort = 80;
    public static readonly IPNetwork Metadata = IPNetwork.Parse("169.254.169.254/32");

    private long _shipped;
    private long _matched;

    public long Shipped => Interlocked.Read(ref _shipped);

    public long Matched => Interlocked.Read(ref _matched);

    public void Publish(VigilEvent e)
    {
        Interlocked.Increment(ref _shipped);
        bool match = e switch
        {
            FileEvent f => (f.Intent & Writes) != 0 && f.Path.StartsWith(EtcPrefix, StringComparison.Ordinal),
            NetworkEvent { Direction: NetworkDirection.Outbound } n => n.DestinationPort == MetadataPort && Metadata.Contains(n.DestinationAddress),
            _ => false,
        };
        if (match)
        {
            Interlocked.Increment(ref _matched);
        }
    }
}
