using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Sensors.Process;
using Vigil.Tests.Support;

namespace Vigil.Tests.Kernel;

public sealed class CleanupTests
{
    [Fact]
    public void Stopping_the_sensors_leaves_no_program_behind()
    {
        var sensor = new ProcessSensor(new CollectingSink(), NullLogger<ProcessSensor>.Instance);
        List<int> ids;
        using (var run = new SensorRun([sensor]))
        {
            ids = Bpftool.ProgramsHeldBy(Environment.ProcessId);
            Assert.NotEmpty(ids);
            Assert.All(ids, id => Assert.True(Bpftool.ProgramExists(id), $"program {id} should be loaded"));
        }
        Assert.All(ids, id => Assert.False(Bpftool.ProgramExists(id), $"program {id} is still loaded after stop"));
    }
}
