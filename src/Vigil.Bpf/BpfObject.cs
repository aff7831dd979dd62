using System.Runtime.InteropServices;
using System.Text;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>
/// A compiled BPF object file: opened, configured (read-only globals, map sizes), loaded, then its
/// programs attached. Owns its programs and maps; closing it unloads everything not pinned or linked.
/// </summary>
public sealed unsafe class BpfObject : IDisposable
{
    private const int VerifierLogSize = 4 * 1024 * 1024;
    private nint _handle;
    private byte* _logBuffer;
    private readonly Dictionary<string, BpfProgram> _programs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BpfMap> _maps = new(StringComparer.Ordinal);

    private BpfObject(nint handle, byte* logBuffer, string path)
    {
        _handle = handle;
        _logBuffer = logBuffer;
        Path = path;
        for (nint p = Libbpf.ObjectNextProgram(handle, 0); p != 0; p = Libbpf.ObjectNextProgram(handle, p))
        {
            var program = new BpfProgram(this, p);
            _programs[program.Name] = program;
        }
        for (nint m = Libbpf.ObjectNextMap(handle, 0); m != 0; m = Libbpf.ObjectNextMap(handle, m))
        {
            var map = new BpfMap(this, m);
            _maps[map.Name] = map;
        }
        Btf = new BtfInfo(this, Libbpf.ObjectBtf(handle));
    }

    public string Path { get; }

    public bool IsLoaded { get; private set; }

    public BtfInfo Btf { get; }

    public IReadOnlyCollection<BpfProgram> Programs => _programs.Values;

    public IReadOnlyCollection<BpfMap> Maps => _maps.Values;

    internal nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle == 0, this);
            return _handle;
        }
    }

    /// <summary>Opens an object file. The verifier log of a failed load is kept for <see cref="BpfLoadException"/>.</summary>
    public static BpfObject Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new BpfException($"BPF object {path} not found", Errno.ENOENT);
        }
        byte* log = (byte*)NativeMemory.AllocZeroed(VerifierLogSize);
        var opts = new Libbpf.OpenOptions
        {
            Size = (nuint)sizeof(Libbpf.OpenOptions),
            KernelLogBuf = log,
            KernelLogSize = VerifierLogSize,
            KernelLogLevel = 0,
        };
        nint handle = Libbpf.ObjectOpenFile(path, &opts);
        if (handle == 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            NativeMemory.Free(log);
            throw new BpfException($"cannot open BPF object {path}", errno);
        }
        return new BpfObject(handle, log, path);
    }

    public BpfProgram Program(string name) =>
        _programs.TryGetValue(name, out var p) ? p : throw new BpfException($"{Path}: no program named '{name}'");

    public BpfMap Map(string name) =>
        _maps.TryGetValue(name, out var m) ? m : throw new BpfException($"{Path}: no map named '{name}'");

    /// <summary>Sets a <c>const volatile</c> global before load, found by name through the object's BTF.</summary>
    public void SetGlobal<T>(string name, T value) where T : unmanaged
    {
        if (IsLoaded)
        {
            throw new InvalidOperationException($"{name}: read-only globals can only be set before load");
        }
        (string section, int offset, int size) = Btf.FindVariable(name);
        if (size != sizeof(T))
        {
            throw new BpfException($"{Path}: global '{name}' is {size} bytes, not {sizeof(T)} ({typeof(T).Name})");
        }
        BpfMap map = _maps.Values.FirstOrDefault(m => m.Name.EndsWith(section, StringComparison.Ordinal))
            ?? throw new BpfException($"{Path}: no map for section {section}");
        nuint mapSize;
        byte* data = (byte*)Libbpf.MapInitialValue(map.NativeHandle, &mapSize);
        if (data is null || (nuint)(offset + size) > mapSize)
        {
            throw new BpfException($"{Path}: cannot set global '{name}'");
        }
        *(T*)(data + offset) = value;
    }

    /// <summary>Loads every program with autoload set; on a verifier rejection the log is in the exception.</summary>
    public void Load()
    {
        int rc = Libbpf.ObjectLoad(Handle);
        if (rc < 0)
        {
            string log = Marshal.PtrToStringUTF8((nint)_logBuffer) ?? "";
            throw new BpfLoadException($"kernel rejected {System.IO.Path.GetFileName(Path)}", -rc, log.TrimEnd('\0', '\n'));
        }
        IsLoaded = true;
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            Libbpf.ObjectClose(_handle);
            _handle = 0;
        }
        if (_logBuffer is not null)
        {
            NativeMemory.Free(_logBuffer);
            _logBuffer = null;
        }
    }

    public override string ToString() => new StringBuilder(System.IO.Path.GetFileName(Path)).Append(IsLoaded ? " (loaded)" : "").ToString();
}
