using System.Diagnostics;
using System.Globalization;

namespace Vigil.Agent.Host;

/// <summary>
/// How long each phase of starting or stopping the agent took, for one log line that tells an
/// operator where a slow start or stop went.
/// </summary>
public sealed class PhaseTimings
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(string Phase, TimeSpan Took)> _phases = [];
    private readonly TimeSpan _before;
    private TimeSpan _mark;

    public PhaseTimings()
    {
    }

    private PhaseTimings(string phase, TimeSpan before)
    {
        _phases.Add((phase, before));
        _before = before;
    }

    /// <summary>
    /// Timings whose first phase, "runtime", is what came before this call since the process
    /// started: the .NET runtime starting, the code it compiled, the command line parsed.
    /// </summary>
    public static PhaseTimings SinceProcessStart()
    {
        using Process self = Process.GetCurrentProcess();
        return new PhaseTimings("runtime", DateTime.Now - self.StartTime);
    }

    /// <summary>Whole milliseconds from the start (the process's, for <see cref="SinceProcessStart"/>) to now.</summary>
    public long TotalMilliseconds => (long)(_before + _clock.Elapsed).TotalMilliseconds;

    /// <summary>Ends the phase that started at the previous mark (or at creation).</summary>
    public void Mark(string phase)
    {
        TimeSpan now = _clock.Elapsed;
        _phases.Add((phase, now - _mark));
        _mark = now;
    }

    /// <summary>"store 12 ms, rules 340 ms, ...", in the order the phases ran.</summary>
    public override string ToString() =>
        string.Join(", ", _phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Took.TotalMilliseconds:F0} ms")));
}
