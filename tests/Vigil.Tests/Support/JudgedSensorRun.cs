using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Sensors;
using Vigil.Sensors.File;
using Vigil.Sensors.Judging;

namespace Vigil.Tests.Support;

/// <summary>
/// A file sensor started for one test with the rules it asks for, and a scratch directory of its own
/// for the test's children to work in. Everything is detached and removed when it ends, pass or fail.
/// </summary>
public sealed class JudgedSensorRun : IDisposable
{
    private readonly SensorRun _run;

    public JudgedSensorRun(params JudgeRule[] rules)
    {
        Sensor = new FileSensor(Sink, NullLogger<FileSensor>.Instance);
        _run = new SensorRun([Sensor]);
        Assert.Equal(SensorState.Running, Sensor.Status.State);
        Directory = System.IO.Directory.CreateDirectory(Path.Combine("/tmp", Children.Marker())).FullName;
        Apply(rules);
    }

    public CollectingSink Sink { get; } = new();

    public FileSensor Sensor { get; }

    public PolicyTables Tables => Sensor.Tables!;

    /// <summary>The test's scratch directory (absolute, no trailing slash).</summary>
    public string Directory { get; }

    public uint Apply(params JudgeRule[] rules) => Tables.Apply(rules);

    /// <summary>A rule over every file event type, with the given name; selectors and action from <paramref name="with"/>.</summary>
    public static JudgeRule Rule(string name, Func<JudgeRule, JudgeRule> with) =>
        with(new JudgeRule { Name = name, Ops = [.. FileSyscalls.EventTypes.Values] });

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
