using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;
using Vigil.Sensors.Privilege;

namespace Vigil.Tests.Support;

/// <summary>
/// A judging sensor (the file sensor unless a test asks for another) started for one test, and a
/// scratch directory of its own for the test's children to work in. Nothing ships until the test
/// applies rules. Everything is detached and removed when it ends, pass or fail.
/// </summary>
public sealed class JudgedSensorRun : IDisposable
{
    private readonly SensorRun _run;

    public JudgedSensorRun(Func<IEventSink, JudgingSensor>? create = null)
    {
        Sensor = (create ?? (sink => new FileSensor(sink, NullLogger<FileSensor>.Instance)))(Sink);
        _run = new SensorRun([Sensor]);
        Assert.Equal(SensorState.Running, Sensor.Status.State);
        Directory = System.IO.Directory.CreateDirectory(Path.Combine("/tmp", Children.Marker())).FullName;
    }

    public static JudgingSensor Privilege(IEventSink sink) => new PrivilegeSensor(sink, NullLogger<PrivilegeSensor>.Instance);

    public CollectingSink Sink { get; } = new();

    public JudgingSensor Sensor { get; }

    public PolicyTables Tables => Sensor.Tables!;

    /// <summary>The test's scratch directory (absolute, no trailing slash).</summary>
    public string Directory { get; }

    public uint Apply(params JudgeRule[] rules) => Tables.Apply(rules);

    /// <summary>A rule over every event type of the sensor, with the given name; selectors and action from <paramref name="with"/>.</summary>
    public JudgeRule Rule(string name, Func<JudgeRule, JudgeRule> with) =>
        with(new JudgeRule { Name = name, Ops = [.. Sensor.EventTypes.Values] });

    /// <summary>Runs a shell command in the scratch directory to completion; returns its exit code.</summary>
    public int Shell(string command)
    {
        using var child = Children.StartIn(Directory, "/bin/sh", "-c", command);
        child.WaitForExit();
        return child.ExitCode;
    }

    public void Dispose()
    {
        _run.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
