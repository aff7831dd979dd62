namespace Vigil.Sensors;

/// <summary>Settings every sensor honours.</summary>
public sealed record SensorOptions
{
    /// <summary>Where NAME.bpf.o files are; by default bpf/ next to the agent.</summary>
    public string ObjectDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "bpf");

    /// <summary>Activity of this thread group is dropped in the kernel (the agent's own).</summary>
    public uint AgentTgid { get; init; } = (uint)Environment.ProcessId;

    /// <summary>Ring-buffer bytes per sensor (a power of two, at least a page).</summary>
    public int RingBufferBytes { get; init; } = 4 << 20;

    /// <summary>Producers wake the reader only once this many bytes wait; 0 wakes on every record.</summary>
    public int WakeupBytes { get; init; } = 64 << 10;

    /// <summary>Bytes of argv copied per exec (at most 4096).</summary>
    public int ArgsBudget { get; init; } = 1024;

    public string ObjectPath(string name) => Path.Combine(ObjectDirectory, name + ".bpf.o");

    public void Validate()
    {
        if (RingBufferBytes < 4096 || (RingBufferBytes & (RingBufferBytes - 1)) != 0)
        {
            throw new ArgumentException($"ring buffer size {RingBufferBytes} must be a power of two of at least 4096");
        }
        if (WakeupBytes < 0 || WakeupBytes >= RingBufferBytes)
        {
            throw new ArgumentException($"wake-up threshold {WakeupBytes} must be between 0 and the ring size {RingBufferBytes}");
        }
        if (ArgsBudget is < 0 or > 4096)
        {
            throw new ArgumentException($"argv budget {ArgsBudget} must be between 0 and 4096 bytes");
        }
    }
}
