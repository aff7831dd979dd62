using System.Runtime.InteropServices;

namespace Vigil.Guard;

/// <summary>Interface names to indexes in the caller's network namespace (sysfs may show another one).</summary>
internal static partial class NetworkInterfaces
{
    public static int? Index(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length >= 16 || name.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }
        uint index = IfNameToIndex(name);
        return index == 0 ? null : (int)index;
    }

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint IfNameToIndex(string name);
}
