using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Agent.Host;
using Vigil.Bpf;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>
/// A ring that nobody reads fills up: overload sampling thins the events of ordinary rules in the
/// kernel, leaves critical ones alone, says so, and steps back once the ring is drained.
/// </summary>
public sealed class OverloadSamplingTests
{
    [Fact]
    public void A_full_ring_thins_low_priority_events_and_an_empty_one_restores_them()
    {
        KernelRequirement.Check();
        var sink = new CollectingSink();
        var notices = new CollectingSink();
        using var sensor = new FileSensor(sink, NullLogger<FileSensor>.Instance);
        using var reader = new RingBufferReader(); // polled by the test only
        Assert.True(sensor.Start(SensorRun.Options() with { RingBufferBytes = 16 << 10 }, reader));
        string d = Directory.CreateDirectory(Path.Combine("/tmp", Children.Marker())).FullName;
        try
        {
            Directory.CreateDirectory(d + "/low");
            Directory.CreateDirectory(d + "/critical");
            sensor.Tables!.Apply(
            [
                new JudgeRule { Name = "low", Ops = [0], PathPrefixes = [d + "/low/"] },
                new JudgeRule { Name = "critical", Ops = [0], PathPrefixes = [d + "/critical/"], Critical = true },
            ]);
            ProcessIdentity agent = NodeAgent.SelfIdentity();
            using var overload = new OverloadSampling([sensor], notices, agent, new OverloadOptions { RaiseAfter = 1, LowerAfter = 1 }, NullLogger.Instance);

            Touch(d, "low", 200); // far more than the ring holds
            Assert.True(sensor.Ring!.Fill > 0.5, $"ring only {sensor.Ring.Fill:P0} full");
            overload.Check();
            SensorSamplingEvent raised = notices.WaitFor<SensorSamplingEvent>(e => e.Every == 2);
            Assert.Equal("file", raised.Sensor);

            reader.Poll(0);
            int before = sink.Snapshot().Count;
            Touch(d, "low", 40);
            Touch(d, "critical", 40);
            reader.Poll(0);
            List<FileEvent> shipped = [.. sink.Snapshot().Skip(before).OfType<FileEvent>()];
            Assert.Equal(40, shipped.Count(e => e.Path.StartsWith(d + "/critical/", StringComparison.Ordinal)));
            Assert.InRange(shipped.Count(e => e.Path.StartsWith(d + "/low/", StringComparison.Ordinal)), 18, 22); // one in two, per CPU
            Assert.True(sensor.Tables.OverloadThinned >= 18);

            overload.Check(); // the ring is empty now
            notices.WaitFor<SensorSamplingEvent>(e => e.Every == 1);
            Assert.Equal(1u, overload.Every["file"]);
        }
        finally
        {
            Directory.Delete(d, recursive: true);
        }
    }

    private static void Touch(string directory, string sub, int files)
    {
        using var child = Children.StartIn($"{directory}/{sub}", "/bin/sh", "-c", $"i=0; while [ $i -lt {files} ]; do : > f$i; i=$((i+1)); done");
        child.WaitForExit();
    }
}
