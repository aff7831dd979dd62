using System.Globalization;

namespace Vigil.Tests.Support;

/// <summary>Kernel BPF state seen from outside the code under test: bpftool and /proc fdinfo.</summary>
public static class Bpftool
{
    public static bool ProgramExists(int id) =>
        Children.Run("bpftool", "prog", "show", "id", id.ToString(CultureInfo.InvariantCulture)) == 0;

    /// <summary>Ids of the BPF programs a process holds open, from its fds' fdinfo.</summary>
    public static List<int> ProgramsHeldBy(int pid)
    {
        var ids = new HashSet<int>();
        foreach (string fdinfo in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
        {
            try
            {
                foreach (string line in File.ReadLines(fdinfo))
                {
                    if (line.StartsWith("prog_id:", StringComparison.Ordinal))
                    {
                        ids.Add(int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (IOException)
            {
                // The fd closed while we looked.
            }
        }
        return [.. ids];
    }
}
