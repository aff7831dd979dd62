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

    /// <summary>The attach types of the programs attached directly to a cgroup (bpftool cgroup show).</summary>
    public static List<string> CgroupAttachTypes(string cgroupPath)
    {
        using System.Diagnostics.Process p = Children.Start("bpftool", "cgroup", "show", cgroupPath);
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        // Lines: "ID  AttachType  AttachFlags  Name", after a header line.
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 2)
            .Select(fields => fields[1])];
    }
}
