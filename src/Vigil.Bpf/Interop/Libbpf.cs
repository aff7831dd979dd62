using System.Runtime.InteropServices;

namespace Vigil.Bpf.Interop;

/// <summary>Entry points of the system libbpf (Debian's libbpf1). Pointers to libbpf-owned structs stay opaque.</summary>
internal static unsafe partial class Libbpf
{
    private const string Lib = "libbpf.so.1";

    [LibraryImport(Lib, EntryPoint = "libbpf_set_print")]
    internal static partial nint SetPrint(delegate* unmanaged<int, byte*, nint, int> fn);

    [LibraryImport(Lib, EntryPoint = "libbpf_num_possible_cpus")]
    internal static partial int NumPossibleCpus();

    [LibraryImport(Lib, EntryPoint = "libbpf_major_version")]
    internal static partial uint MajorVersion();

    [LibraryImport(Lib, EntryPoint = "libbpf_minor_version")]
    internal static partial uint MinorVersion();

    // Objects
    [LibraryImport(Lib, EntryPoint = "bpf_object__open_file", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint ObjectOpenFile(string path, OpenOptions* opts);

    [LibraryImport(Lib, EntryPoint = "bpf_object__load")]
    internal static partial int ObjectLoad(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__close")]
    internal static partial void ObjectClose(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__btf")]
    internal static partial nint ObjectBtf(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_program")]
    internal static partial nint ObjectNextProgram(nint obj, nint prev);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_map")]
    internal static partial nint ObjectNextMap(nint obj, nint prev);

    // Programs
    [LibraryImport(Lib, EntryPoint = "bpf_program__name")]
    internal static partial byte* ProgramName(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_program__section_name")]
    internal static partial byte* ProgramSectionName(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_program__fd")]
    internal static partial int ProgramFd(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_program__set_autoload")]
    internal static partial int ProgramSetAutoload(nint prog, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Lib, EntryPoint = "bpf_program__attach", SetLastError = true)]
    internal static partial nint ProgramAttach(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_program__attach_xdp", SetLastError = true)]
    internal static partial nint ProgramAttachXdp(nint prog, int ifindex);

    [LibraryImport(Lib, EntryPoint = "bpf_program__attach_cgroup", SetLastError = true)]
    internal static partial nint ProgramAttachCgroup(nint prog, int cgroupFd);

    // Links
    [LibraryImport(Lib, EntryPoint = "bpf_link__destroy")]
    internal static partial int LinkDestroy(nint link);

    [LibraryImport(Lib, EntryPoint = "bpf_link__fd")]
    internal static partial int LinkFd(nint link);

    [LibraryImport(Lib, EntryPoint = "bpf_link__pin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int LinkPin(nint link, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_link__unpin")]
    internal static partial int LinkUnpin(nint link);

    [LibraryImport(Lib, EntryPoint = "bpf_link__open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint LinkOpen(string path);

    [LibraryImport(Lib, EntryPoint = "bpf_link__disconnect")]
    internal static partial void LinkDisconnect(nint link);

    // Maps (object-level)
    [LibraryImport(Lib, EntryPoint = "bpf_map__name")]
    internal static partial byte* MapName(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__fd")]
    internal static partial int MapFd(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__type")]
    internal static partial int MapType(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__key_size")]
    internal static partial uint MapKeySize(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__value_size")]
    internal static partial uint MapValueSize(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__max_entries")]
    internal static partial uint MapMaxEntries(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__set_max_entries")]
    internal static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Lib, EntryPoint = "bpf_map__initial_value")]
    internal static partial void* MapInitialValue(nint map, nuint* size);

    [LibraryImport(Lib, EntryPoint = "bpf_map__pin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MapPin(nint map, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_map__unpin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MapUnpin(nint map, string? path);

    [LibraryImport(Lib, EntryPoint = "bpf_map__reuse_fd")]
    internal static partial int MapReuseFd(nint map, int fd);

    // Maps (fd-level syscalls)
    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_elem")]
    internal static partial int MapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Lib, EntryPoint = "bpf_map_update_elem")]
    internal static partial int MapUpdateElem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_and_delete_elem")]
    internal static partial int MapLookupAndDeleteElem(int fd, void* key, void* value);

    [LibraryImport(Lib, EntryPoint = "bpf_map_delete_elem")]
    internal static partial int MapDeleteElem(int fd, void* key);

    [LibraryImport(Lib, EntryPoint = "bpf_map_get_next_key")]
    internal static partial int MapGetNextKey(int fd, void* key, void* nextKey);

    [LibraryImport(Lib, EntryPoint = "bpf_map_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MapCreate(int mapType, string? name, uint keySize, uint valueSize, uint maxEntries, void* opts);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ObjGet(string path);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_pin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ObjPin(int fd, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_get_info_by_fd")]
    internal static partial int ObjGetInfoByFd(int fd, void* info, uint* infoLength);
    [LibraryImport(Lib, EntryPoint = "bpf_link_create")]
    internal static partial int LinkCreate(int progFd, int targetFd, int attachType, LinkCreateOptions* opts);

    [LibraryImport(Lib, EntryPoint = "bpf_xdp_query")]
    internal static partial int XdpQuery(int ifindex, int flags, XdpQueryOptions* opts);

    [LibraryImport(Lib, EntryPoint = "bpf_program__pin", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ProgramPin(nint prog, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_enable_stats")]
    internal static partial int EnableStats(int type);

    [LibraryImport(Lib, EntryPoint = "bpf_prog_test_run_opts")]
    internal static partial int ProgTestRun(int progFd, TestRunOptions* opts);

    // BTF
    [LibraryImport(Lib, EntryPoint = "btf__find_by_name_kind", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int BtfFindByNameKind(nint btf, string name, uint kind);

    [LibraryImport(Lib, EntryPoint = "btf__type_by_id")]
    internal static partial BtfType* BtfTypeById(nint btf, uint id);

    [LibraryImport(Lib, EntryPoint = "btf__name_by_offset")]
    internal static partial byte* BtfNameByOffset(nint btf, uint offset);

    [LibraryImport(Lib, EntryPoint = "btf__resolve_size")]
    internal static partial long BtfResolveSize(nint btf, uint id);

    [LibraryImport(Lib, EntryPoint = "btf__resolve_type")]
    internal static partial int BtfResolveType(nint btf, uint id);

    /// <summary><c>struct bpf_object_open_opts</c> as of libbpf 1.1 (x86-64 and arm64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenOptions
    {
        public nuint Size;
        public byte* ObjectName;
        public byte RelaxedMaps;
        public byte* PinRootPath;
        public uint RemovedAttachProgFd;
        public byte* Kconfig;
        public byte* BtfCustomPath;
        public byte* KernelLogBuf;
        public nuint KernelLogSize;
        public uint KernelLogLevel;
    }

    /// <summary><c>struct bpf_test_run_opts</c> as of libbpf 1.1.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TestRunOptions
    {
        public nuint Size;
        public void* DataIn;
        public void* DataOut;
        public uint DataSizeIn;
        public uint DataSizeOut;
        public void* CtxIn;
        public void* CtxOut;
        public uint CtxSizeIn;
        public uint CtxSizeOut;
        public uint Retval;
        public int Repeat;
        public uint Duration;
        public uint Flags;
        public uint Cpu;
        public uint BatchSize;
    }
}

/// <summary>The leading fields of <c>struct bpf_map_info</c> (the kernel fills what fits).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MapInfo
{
    public uint Type;
    public uint Id;
    public uint KeySize;
    public uint ValueSize;
    public uint MaxEntries;
    public uint MapFlags;
    public fixed byte Name[16];
}

/// <summary><c>struct bpf_link_create_opts</c> up to <c>flags</c> (all the XDP attach type reads).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinkCreateOptions
{
    public nuint Size;
    public uint Flags;
    public uint Pad;
}

/// <summary><c>struct bpf_xdp_query_opts</c> as of libbpf 1.1.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XdpQueryOptions
{
    public nuint Size;
    public uint ProgId;
    public uint DrvProgId;
    public uint HwProgId;
    public uint SkbProgId;
    public byte AttachMode;
}

/// <summary><c>struct btf_type</c>: followed in memory by kind-specific entries (members, variables).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfType
{
    public uint NameOff;
    public uint Info;
    public uint SizeOrType;

    public readonly uint Kind => (Info >> 24) & 0x1f;
    public readonly int Vlen => (int)(Info & 0xffff);
    public readonly bool KindFlag => (Info >> 31) != 0;
}

[StructLayout(LayoutKind.Sequential)]
internal struct BtfMember
{
    public uint NameOff;
    public uint Type;
    public uint Offset;
}

[StructLayout(LayoutKind.Sequential)]
internal struct BtfVarSecInfo
{
    public uint Type;
    public uint Offset;
    public uint Size;
}

[StructLayout(LayoutKind.Sequential)]
internal struct BtfArray
{
    public uint Type;
    public uint IndexType;
    public uint Nelems;
}

internal static class BtfKind
{
    public const uint Int = 1;
    public const uint Ptr = 2;
    public const uint Array = 3;
    public const uint Struct = 4;
    public const uint Union = 5;
    public const uint Typedef = 8;
    public const uint Volatile = 9;
    public const uint Const = 10;
    public const uint Var = 14;
    public const uint DataSec = 15;
}
