using Microsoft.Win32.SafeHandles;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>
/// A map of a <see cref="BpfObject"/>, or one opened from its pin in bpffs (state another process
/// left behind), with typed access over unmanaged keys and values. Per-CPU maps return one value
/// per possible CPU. Disposing closes a pinned map's fd; an object's maps close with the object.
/// </summary>
public sealed unsafe class BpfMap : IDisposable
{
    private readonly BpfObject? _owner;
    private readonly nint _handle;
    private readonly SafeFileHandle? _pinned;
    private readonly MapInfo _pinnedInfo;

    internal BpfMap(BpfObject owner, nint handle)
    {
        _owner = owner;
        _handle = handle;
        Name = LibbpfLog.Utf8(Libbpf.MapName(handle));
    }

    private BpfMap(SafeFileHandle fd, MapInfo info)
    {
        _pinned = fd;
        _pinnedInfo = info;
        Name = LibbpfLog.Utf8(info.Name);
    }

    /// <summary>Opens a map pinned at <paramref name="path"/>; no object or program needed.</summary>
    public static BpfMap OpenPinned(string path)
    {
        int fd = Libbpf.ObjGet(path);
        if (fd < 0)
        {
            throw new BpfException($"cannot open pinned map {path}", -fd);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        MapInfo info = default;
        uint length = (uint)sizeof(MapInfo);
        int rc = Libbpf.ObjGetInfoByFd(fd, &info, &length);
        if (rc < 0)
        {
            handle.Dispose();
            throw new BpfException($"{path} is not a BPF map", -rc);
        }
        return new BpfMap(handle, info);
    }

    public string Name { get; }

    public int Fd => _pinned is not null ? (int)_pinned.DangerousGetHandle() : Libbpf.MapFd(NativeHandle);

    public BpfMapType Type => (BpfMapType)(_pinned is not null ? _pinnedInfo.Type : (uint)Libbpf.MapType(NativeHandle));

    public int KeySize => (int)(_pinned is not null ? _pinnedInfo.KeySize : Libbpf.MapKeySize(NativeHandle));

    public int ValueSize => (int)(_pinned is not null ? _pinnedInfo.ValueSize : Libbpf.MapValueSize(NativeHandle));

    public int MaxEntries => (int)(_pinned is not null ? _pinnedInfo.MaxEntries : Libbpf.MapMaxEntries(NativeHandle));

    public bool IsPerCpu => Type is BpfMapType.PerCpuArray or BpfMapType.PerCpuHash or BpfMapType.LruPerCpuHash;

    internal nint NativeHandle
    {
        get
        {
            if (_owner is null)
            {
                throw new InvalidOperationException($"{Name} was opened from a pin: it has no object to configure");
            }
            _ = _owner.Handle;
            return _handle;
        }
    }

    public void Dispose() => _pinned?.Dispose();

    /// <summary>Sizes the map before load (e.g. the ring buffer's bytes, a table's capacity).</summary>
    public void SetMaxEntries(int maxEntries) =>
        BpfException.Check(Libbpf.MapSetMaxEntries(NativeHandle, (uint)maxEntries), $"{Name}: set max entries to {maxEntries}");

    public void Pin(string path) => BpfException.Check(Libbpf.MapPin(NativeHandle, path), $"{Name}: pin at {path}");

    public void Unpin(string path) => BpfException.Check(Libbpf.MapUnpin(NativeHandle, path), $"{Name}: unpin {path}");

    /// <summary>Before load: use the map pinned at <paramref name="path"/> instead of creating a new one.</summary>
    public void ReusePinned(string path)
    {
        int fd = BpfException.Check(Libbpf.ObjGet(path), $"{Name}: open pinned {path}");
        try
        {
            BpfException.Check(Libbpf.MapReuseFd(NativeHandle, fd), $"{Name}: reuse {path}");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value) where TKey : unmanaged where TValue : unmanaged
    {
        CheckSizes<TKey, TValue>();
        TValue result = default;
        fixed (TKey* k = &key)
        {
            int rc = Libbpf.MapLookupElem(Fd, k, &result);
            if (rc == -Errno.ENOENT)
            {
                value = default;
                return false;
            }
            BpfException.Check(rc, $"{Name}: lookup");
        }
        value = result;
        return true;
    }

    public void Update<TKey, TValue>(in TKey key, in TValue value, BpfUpdate flags = BpfUpdate.Any) where TKey : unmanaged where TValue : unmanaged
    {
        CheckSizes<TKey, TValue>();
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
        {
            BpfException.Check(Libbpf.MapUpdateElem(Fd, k, v, (ulong)flags), $"{Name}: update");
        }
    }

    /// <summary>Deletes a key; false when it was not there.</summary>
    public bool Delete<TKey>(in TKey key) where TKey : unmanaged
    {
        CheckKey<TKey>();
        fixed (TKey* k = &key)
        {
            int rc = Libbpf.MapDeleteElem(Fd, k);
            if (rc == -Errno.ENOENT)
            {
                return false;
            }
            BpfException.Check(rc, $"{Name}: delete");
            return true;
        }
    }

    /// <summary>Every key, snapshot-style: keys inserted or deleted meanwhile may or may not appear.</summary>
    public List<TKey> Keys<TKey>() where TKey : unmanaged
    {
        CheckKey<TKey>();
        var keys = new List<TKey>();
        TKey current = default, next = default;
        int rc = Libbpf.MapGetNextKey(Fd, null, &next);
        while (rc == 0)
        {
            keys.Add(next);
            current = next;
            rc = Libbpf.MapGetNextKey(Fd, &current, &next);
        }
        if (rc != -Errno.ENOENT)
        {
            BpfException.Check(rc, $"{Name}: iterate");
        }
        return keys;
    }

    /// <summary>How many keys the map holds now (one syscall per key: for monitoring, not hot paths).</summary>
    public int CountEntries()
    {
        int size = KeySize;
        byte* current = stackalloc byte[size];
        byte* next = stackalloc byte[size];
        int count = 0;
        int rc = Libbpf.MapGetNextKey(Fd, null, next);
        while (rc == 0)
        {
            count++;
            Buffer.MemoryCopy(next, current, size, size);
            rc = Libbpf.MapGetNextKey(Fd, current, next);
        }
        if (rc != -Errno.ENOENT)
        {
            BpfException.Check(rc, $"{Name}: count entries");
        }
        return count;
    }

    /// <summary>True when the map has no keys (one syscall, unlike <see cref="Keys{TKey}"/>).</summary>
    public bool IsEmpty<TKey>() where TKey : unmanaged
    {
        CheckKey<TKey>();
        TKey first = default;
        int rc = Libbpf.MapGetNextKey(Fd, null, &first);
        if (rc == -Errno.ENOENT)
        {
            return true;
        }
        BpfException.Check(rc, $"{Name}: first key");
        return false;
    }

    /// <summary>Per-CPU values come as one 8-byte-aligned slot per possible CPU.</summary>
    private void CheckPerCpu<TValue>(int length) where TValue : unmanaged
    {
        int cpus = BpfSystem.PossibleCpus;
        int stride = (ValueSize + 7) & ~7;
        if (sizeof(TValue) != stride || length < cpus)
        {
            throw new ArgumentException($"{Name}: per-CPU values are {stride} bytes x {cpus} CPUs");
        }
    }

    /// <summary>Reads a per-CPU entry into <paramref name="perCpu"/>, one value per possible CPU.</summary>
    public bool TryLookupPerCpu<TKey, TValue>(in TKey key, Span<TValue> perCpu) where TKey : unmanaged where TValue : unmanaged
    {
        CheckKey<TKey>();
        CheckPerCpu<TValue>(perCpu.Length);
        fixed (TKey* k = &key)
        fixed (TValue* v = perCpu)
        {
            int rc = Libbpf.MapLookupElem(Fd, k, v);
            if (rc == -Errno.ENOENT)
            {
                return false;
            }
            BpfException.Check(rc, $"{Name}: per-CPU lookup");
            return true;
        }
    }

    /// <summary>
    /// Reads a per-CPU entry and deletes it in one step, so nothing the kernel adds meanwhile is lost:
    /// it goes into a fresh entry. False when the key was not there.
    /// </summary>
    public bool TryTakePerCpu<TKey, TValue>(in TKey key, Span<TValue> perCpu) where TKey : unmanaged where TValue : unmanaged
    {
        CheckKey<TKey>();
        CheckPerCpu<TValue>(perCpu.Length);
        fixed (TKey* k = &key)
        fixed (TValue* v = perCpu)
        {
            int rc = Libbpf.MapLookupAndDeleteElem(Fd, k, v);
            if (rc == -Errno.ENOENT)
            {
                return false;
            }
            BpfException.Check(rc, $"{Name}: per-CPU lookup and delete");
            return true;
        }
    }

    /// <summary>Writes a per-CPU entry from <paramref name="perCpu"/>, one value per possible CPU.</summary>
    public void UpdatePerCpu<TKey, TValue>(in TKey key, ReadOnlySpan<TValue> perCpu) where TKey : unmanaged where TValue : unmanaged
    {
        CheckKey<TKey>();
        CheckPerCpu<TValue>(perCpu.Length);
        fixed (TKey* k = &key)
        fixed (TValue* v = perCpu)
        {
            BpfException.Check(Libbpf.MapUpdateElem(Fd, k, v, 0), $"{Name}: per-CPU update");
        }
    }

    /// <summary>Sums a per-CPU <c>u64</c> counter over all CPUs.</summary>
    public ulong SumPerCpu<TKey>(in TKey key) where TKey : unmanaged
    {
        Span<ulong> values = stackalloc ulong[BpfSystem.PossibleCpus];
        if (!TryLookupPerCpu(key, values))
        {
            return 0;
        }
        ulong sum = 0;
        foreach (ulong v in values)
        {
            sum += v;
        }
        return sum;
    }

    private void CheckSizes<TKey, TValue>() where TKey : unmanaged where TValue : unmanaged
    {
        CheckKey<TKey>();
        if (sizeof(TValue) != ValueSize)
        {
            throw new ArgumentException($"{Name}: value is {ValueSize} bytes, {typeof(TValue).Name} is {sizeof(TValue)}");
        }
    }

    private void CheckKey<TKey>() where TKey : unmanaged
    {
        if (sizeof(TKey) != KeySize)
        {
            throw new ArgumentException($"{Name}: key is {KeySize} bytes, {typeof(TKey).Name} is {sizeof(TKey)}");
        }
    }

    public override string ToString() => $"{Name} ({Type}, {MaxEntries} entries)";
}

public enum BpfMapType
{
    Hash = 1,
    Array = 2,
    ProgArray = 3,
    PerfEventArray = 4,
    PerCpuHash = 5,
    PerCpuArray = 6,
    LruHash = 9,
    LruPerCpuHash = 10,
    LpmTrie = 11,
    ArrayOfMaps = 12,
    HashOfMaps = 13,
    RingBuffer = 27,
}

[Flags]
public enum BpfUpdate : ulong
{
    Any = 0,
    NoExist = 1,
    Exist = 2,
}
