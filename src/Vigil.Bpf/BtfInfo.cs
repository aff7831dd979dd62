using System.Reflection;
using System.Runtime.InteropServices;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>
/// The BTF of a BPF object: where globals live, and whether a C# record mirror matches the
/// C struct the program writes (size and every field's offset and size).
/// </summary>
public sealed unsafe class BtfInfo
{
    private readonly BpfObject _owner;
    private readonly nint _btf;

    internal BtfInfo(BpfObject owner, nint btf)
    {
        _owner = owner;
        _btf = btf;
    }

    private nint Native
    {
        get
        {
            _ = _owner.Handle;
            return _btf != 0 ? _btf : throw new BpfException($"{_owner.Path} carries no BTF (compile with -g)");
        }
    }

    /// <summary>Finds a global variable: its data section (e.g. <c>.rodata</c>), byte offset and size.</summary>
    public (string Section, int Offset, int Size) FindVariable(string name)
    {
        nint btf = Native;
        foreach (string section in new[] { ".rodata", ".data", ".bss" })
        {
            int id = Libbpf.BtfFindByNameKind(btf, section, BtfKind.DataSec);
            if (id < 0)
            {
                continue;
            }
            BtfType* sec = Libbpf.BtfTypeById(btf, (uint)id);
            var vars = (BtfVarSecInfo*)(sec + 1);
            for (int i = 0; i < sec->Vlen; i++)
            {
                BtfType* v = Libbpf.BtfTypeById(btf, vars[i].Type);
                if (Name(v->NameOff) == name)
                {
                    return (section, (int)vars[i].Offset, (int)vars[i].Size);
                }
            }
        }
        throw new BpfException($"{_owner.Path}: no global variable named '{name}'");
    }

    /// <summary>
    /// Checks that <typeparamref name="T"/> has the layout of C struct <paramref name="cStruct"/>.
    /// Fields match by name (C <c>snake_case</c> to C# <c>PascalCase</c>); nested structs are checked too.
    /// </summary>
    public void CheckLayout<T>(string cStruct) where T : unmanaged
    {
        int id = Libbpf.BtfFindByNameKind(Native, cStruct, BtfKind.Struct);
        if (id < 0)
        {
            throw new RecordLayoutException($"{_owner.Path}: struct {cStruct} is not in the object's BTF");
        }
        var problems = new List<string>();
        Compare(typeof(T), (uint)id, cStruct, problems);
        if (problems.Count > 0)
        {
            throw new RecordLayoutException($"{typeof(T).Name} does not mirror struct {cStruct}: {string.Join("; ", problems)}");
        }
    }

    private void Compare(Type type, uint structId, string path, List<string> problems)
    {
        nint btf = Native;
        BtfType* s = Libbpf.BtfTypeById(btf, structId);
        int managedSize = Marshal.SizeOf(type);
        if (managedSize != (int)s->SizeOrType)
        {
            problems.Add($"{path}: size {managedSize} in C#, {s->SizeOrType} in C");
        }
        var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .ToDictionary(f => Normalize(f.Name), StringComparer.Ordinal);
        var members = (BtfMember*)(s + 1);
        for (int i = 0; i < s->Vlen; i++)
        {
            string name = Name(members[i].NameOff);
            int offset = (int)((s->KindFlag ? members[i].Offset & 0xffffff : members[i].Offset) / 8);
            if (!fields.Remove(Normalize(name), out FieldInfo? field))
            {
                problems.Add($"{path}.{name}: missing in C#");
                continue;
            }
            int managedOffset = (int)Marshal.OffsetOf(type, field.Name);
            if (managedOffset != offset)
            {
                problems.Add($"{path}.{name}: offset {managedOffset} in C#, {offset} in C");
            }
            long cSize = Libbpf.BtfResolveSize(btf, members[i].Type);
            int fieldSize = Marshal.SizeOf(field.FieldType);
            if (cSize != fieldSize)
            {
                problems.Add($"{path}.{name}: size {fieldSize} in C#, {cSize} in C");
            }
            int resolved = Libbpf.BtfResolveType(btf, members[i].Type);
            if (resolved >= 0 && Libbpf.BtfTypeById(btf, (uint)resolved)->Kind == BtfKind.Struct)
            {
                Compare(field.FieldType, (uint)resolved, $"{path}.{name}", problems);
            }
        }
        foreach (string extra in fields.Keys)
        {
            problems.Add($"{path}: C# field '{extra}' has no C counterpart");
        }
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private string Name(uint offset) => LibbpfLog.Utf8(Libbpf.BtfNameByOffset(Native, offset));
}

/// <summary>A C# record mirror and the C struct it mirrors disagree: decoding would read garbage.</summary>
public sealed class RecordLayoutException : BpfException
{
    public RecordLayoutException(string message) : base(message) { }

    public RecordLayoutException() { }

    public RecordLayoutException(string message, Exception inner) : base(message, inner) { }
}
