using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vigil.Bpf;

namespace Vigil.Sensors;

/// <summary>
/// One sensor: its BPF object, how it is configured and attached, and the decoder of its ring.
/// A sensor that cannot start reports why and leaves nothing attached; the others carry on.
/// </summary>
public abstract class Sensor : IDisposable
{
    private readonly List<BpfLink> _links = [];
    private BpfObject? _object;
    private BpfMap? _drops;

    protected Sensor(ILogger logger)
    {
        Logger = logger;
        Status = new SensorStatus(Name, SensorState.NotStarted);
    }

    public abstract string Name { get; }

    public SensorStatus Status { get; private set; }

    /// <summary>Records the kernel could not put in the ring (reserve failures), summed over CPUs.</summary>
    public ulong KernelDrops => _drops is null || Status.State != SensorState.Running ? 0 : _drops.SumPerCpu(0u);

    /// <summary>The loaded programs of a running sensor (for self-monitoring); none otherwise.</summary>
    public IEnumerable<BpfProgram> Programs => Status.State == SensorState.Running && _object is { } o ? o.Programs.Where(p => p.IsLoaded) : [];

    /// <summary>The maps of a running sensor (for self-monitoring); none otherwise.</summary>
    public IEnumerable<BpfMap> Maps => Status.State == SensorState.Running && _object is { } o ? o.Maps : [];

    protected ILogger Logger { get; }

    /// <summary>Loads, checks and attaches; on failure the status says why and nothing stays attached.</summary>
    public bool Start(SensorOptions options, RingBufferReader reader)
    {
        try
        {
            options.Validate();
            var clock = Stopwatch.StartNew();
            _object = BpfObject.Open(options.ObjectPath(ObjectName));
            ConfigureCommon(_object, options);
            Configure(_object, options);
            CheckRecordLayouts(_object.Btf);
            _object.Load();
            _drops = _object.Maps.FirstOrDefault(m => m.Name == "vigil_drops");
            foreach (BpfProgram program in _object.Programs.Where(p => p.IsLoaded))
            {
                if (Attach(program) is { } link)
                {
                    _links.Add(link);
                }
            }
            Connect(_object, reader);
            Status = new SensorStatus(Name, SensorState.Running);
            Logger.LogInformation("sensor {Sensor} running ({Programs} programs, loaded and attached in {Milliseconds} ms)", Name, _links.Count, clock.ElapsedMilliseconds);
            return true;
        }
        catch (Exception ex) when (ex is BpfException or ArgumentException or IOException)
        {
            Release();
            string? log = (ex as BpfLoadException)?.VerifierLog;
            Status = new SensorStatus(Name, SensorState.Failed, ex.Message, string.IsNullOrEmpty(log) ? null : log);
            Logger.LogError("sensor {Sensor} failed: {Reason}{VerifierLog}", Name, ex.Message,
                Status.VerifierLog is null ? "" : "\nverifier log:\n" + Status.VerifierLog);
            return false;
        }
    }

    /// <summary>The object file's base name under the object directory.</summary>
    protected abstract string ObjectName { get; }

    /// <summary>Before load: read-only globals and map sizes of this sensor.</summary>
    protected virtual void Configure(BpfObject obj, SensorOptions options) { }

    /// <summary>Before load: every C# record mirror checked against the object's BTF.</summary>
    protected abstract void CheckRecordLayouts(BtfInfo btf);

    /// <summary>
    /// Before load: programs on syscall tracepoints this kernel does not have (another architecture's
    /// legacy calls, module loading on a kernel without modules) are left out; returns their names.
    /// </summary>
    protected static IReadOnlyList<string> SkipMissingTracepoints(BpfObject obj)
    {
        var skipped = new List<string>();
        foreach (BpfProgram program in obj.Programs.Where(p => p.Section.StartsWith("tp/", StringComparison.Ordinal)))
        {
            if (!Directory.Exists(Path.Combine("/sys/kernel/tracing/events", program.Section["tp/".Length..])))
            {
                program.SetAutoload(false);
                skipped.Add(program.Name);
            }
        }
        return skipped;
    }

    /// <summary>
    /// Attaches one program at start; null leaves it loaded but detached (attached later, or never).
    /// A program in a bare "tp" section has no hook of its own: other programs reach it by tail call.
    /// </summary>
    protected virtual BpfLink? Attach(BpfProgram program) => program.Section == "tp" ? null : program.Attach();

    /// <summary>Before the programs are detached and the object closed: stop what uses its maps.</summary>
    protected virtual void Stop() { }

    /// <summary>After attach: hand the sensor's ring(s) to the reader with this sensor's decoder.</summary>
    protected abstract void Connect(BpfObject obj, RingBufferReader reader);

    public void Dispose()
    {
        Release();
        if (Status.State == SensorState.Running)
        {
            Status = Status with { State = SensorState.Stopped };
        }
        GC.SuppressFinalize(this);
    }

    private static void ConfigureCommon(BpfObject obj, SensorOptions options)
    {
        obj.SetGlobal("vigil_agent_tgid", options.AgentTgid);
        obj.SetGlobal("vigil_wakeup_bytes", (ulong)options.WakeupBytes);
        foreach (BpfMap map in obj.Maps.Where(m => m.Type == BpfMapType.RingBuffer))
        {
            map.SetMaxEntries(options.RingBufferBytes);
        }
    }

    /// <summary>
    /// The kernel empties a program array in a work item of its own once the array's last file is
    /// closed, so its tail-call targets would outlive the sensor for a moment: emptied first, they
    /// go when the object closes.
    /// </summary>
    private static void EmptyProgramArrays(BpfObject obj)
    {
        foreach (BpfMap programs in obj.Maps.Where(m => m.Type == BpfMapType.ProgArray))
        {
            for (uint slot = 0; slot < (uint)programs.MaxEntries; slot++)
            {
                programs.Delete(slot);
            }
        }
    }

    private void Release()
    {
        Stop();
        // Most of the agent's stop: detaching the last program from a syscall tracepoint waits for
        // the kernel's grace periods (40-70 ms each here), one tracepoint at a time (the kernel
        // holds its trace event lock meanwhile, so detaching side by side gains nothing).
        foreach (BpfLink link in _links)
        {
            link.Dispose();
        }
        _links.Clear();
        _drops = null;
        if (_object is { IsLoaded: true })
        {
            EmptyProgramArrays(_object);
        }
        _object?.Dispose();
        _object = null;
    }
}
