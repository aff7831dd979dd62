using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Bpf;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;

// The same policy either way: opens under /etc/ that write, create or truncate.
// kernel: the rule is in the kernel tables, only matches ship.
// user:   a rule over every path ships every open; this process applies the policy to each event.
if (args.Length != 1 || args[0] is not ("kernel" or "user"))
{
    Console.Error.WriteLine("usage: Vigil.Bench.Filter kernel|user");
    return 2;
}
bool inKernel = args[0] == "kernel";
const string Prefix = "/etc/";
const FileIntent Writes = FileIntent.Write | FileIntent.Create | FileIntent.Truncate;

var sink = new UserSpacePolicy(Prefix, Writes);
using var sensor = new FileSensor(sink, NullLogger<FileSensor>.Instance);
using var host = new SensorHost([sensor], NullLogger<SensorHost>.Instance);
if (host.Start(new SensorOptions { ObjectDirectory = Path.Combine(AppContext.BaseDirectory, "bpf") }) != 1)
{
    Console.Error.WriteLine($"file sensor: {sensor.Status.Reason}");
    return 1;
}
sensor.Tables!.Apply(
[
    new JudgeRule
    {
        Name = inKernel ? "etc-writes" : "every-open",
        Ops = [0],
        PathPrefixes = [inKernel ? Prefix : "/"],
        Intent = inKernel ? Writes : FileIntent.None,
    },
]);
using var stop = new ManualResetEventSlim();
using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Set();
});
Console.WriteLine("ready");
stop.Wait();
Console.WriteLine($"events {sink.Seen} matched {sink.Matched} unmatched_in_kernel {sensor.Tables.Unmatched} kernel_drops {sensor.KernelDrops}");
return 0;

/// <summary>Counts events, and those the policy matches when it is applied here instead of in the kernel.</summary>
internal sealed class UserSpacePolicy(string prefix, FileIntent intent) : IEventSink
{
    public long Seen { get; private set; }

    public long Matched { get; private set; }

    public void Publish(VigilEvent e)
    {
        Seen++;
        if (e is FileEvent f && f.Path.StartsWith(prefix, StringComparison.Ordinal) && (f.Intent & intent) != 0)
        {
            Matched++;
        }
    }
}
