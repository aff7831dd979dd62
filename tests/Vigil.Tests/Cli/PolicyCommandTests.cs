using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

/// <summary>`vigil policy apply/delete/list` against a real running agent, judged by the real file sensor.</summary>
public sealed class PolicyCommandTests
{
    [Fact]
    public void Apply_puts_a_policy_in_force_in_the_kernel_delete_removes_it_and_an_invalid_one_changes_nothing()
    {
        using var agent = new ApiAgent("--store", "none");
        string marker = Children.Marker();
        string work = Directory.CreateTempSubdirectory(marker).FullName;
        try
        {
            string watched = Directory.CreateDirectory(Path.Combine(work, "watched")).FullName;
            string other = Directory.CreateDirectory(Path.Combine(work, "other")).FullName;
            string file = Path.Combine(work, "policy.yaml");
            File.WriteAllText(file, WritePolicy.Yaml(marker, watched));
            string[] api = ["--api-url", agent.BaseAddress.ToString(), "--api-token-file", agent.TokenFile];

            (int code, string stdout, string stderr) = CliProcess.Run(["policy", "apply", file, .. api]);
            Assert.True(code == 0, stderr);
            Assert.Contains($"applied: policy {marker}", stdout, StringComparison.Ordinal);
            Assert.Equal(0, Children.Run("touch", Path.Combine(watched, "first")));
            agent.Process.WaitForLine(l => l.Contains(FilePath(watched, "first"), StringComparison.Ordinal), TimeSpan.FromSeconds(10));

            string before = List(api);
            Assert.Contains($"{marker}", before, StringComparison.Ordinal);
            Assert.Contains(file, before, StringComparison.Ordinal);

            // Wrong in the file itself: refused by the CLI with file:line:col.
            string broken = Path.Combine(work, "broken.yaml");
            File.WriteAllText(broken, WritePolicy.Yaml(marker, other).Replace("action: post", "action: explode", StringComparison.Ordinal));
            (code, _, stderr) = CliProcess.Run(["policy", "apply", broken, .. api]);
            Assert.Equal(1, code);
            Assert.Contains($"{broken}:13:", stderr, StringComparison.Ordinal);
            Assert.Contains("explode", stderr, StringComparison.Ordinal);

            // Wrong only on this host (a cgroup that does not exist): refused by the agent, named at the file's place.
            File.WriteAllText(broken, WritePolicy.Yaml(marker, other, "    - name: nowhere\n      events: [open]\n      match: {cgroup: [/no-such-cgroup-" + marker + "]}"));
            (code, _, stderr) = CliProcess.Run(["policy", "apply", broken, .. api]);
            Assert.Equal(1, code);
            Assert.Contains($"{broken}:16:", stderr, StringComparison.Ordinal);
            Assert.Equal(before, List(api));

            // A policy of the directory is not the API's to delete; an unknown name is an error.
            (code, _, stderr) = CliProcess.Run(["policy", "delete", "etc-integrity", .. api]);
            Assert.Equal(1, code);
            Assert.Contains("policy directory", stderr, StringComparison.Ordinal);
            (code, _, _) = CliProcess.Run(["policy", "delete", "no-such-" + marker, .. api]);
            Assert.Equal(1, code);

            (code, stdout, stderr) = CliProcess.Run(["policy", "delete", marker, .. api]);
            Assert.True(code == 0, stderr);
            Assert.DoesNotContain(marker, List(api), StringComparison.Ordinal);

            // Gone from the kernel: a write under the old prefix ships nothing, one the new policy wants does.
            File.WriteAllText(file, WritePolicy.Yaml(marker + "-b", other));
            Assert.Equal(0, CliProcess.Run(["policy", "apply", file, .. api]).ExitCode);
            Assert.Equal(0, Children.Run("touch", Path.Combine(watched, "second")));
            Assert.Equal(0, Children.Run("touch", Path.Combine(other, "after")));
            agent.Process.WaitForLine(l => l.Contains(FilePath(other, "after"), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            Assert.DoesNotContain(agent.Process.Stdout, l => l.Contains(FilePath(watched, "second"), StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void Validate_names_every_problem_and_check_is_its_alias()
    {
        string work = Directory.CreateTempSubdirectory(Children.Marker()).FullName;
        try
        {
            string file = Path.Combine(work, "p.yaml");
            File.WriteAllText(file, WritePolicy.Yaml("good", work));
            (int code, string stdout, _) = CliProcess.Run("policy", "validate", file);
            Assert.Equal(0, code);
            Assert.Contains("ok: policy good", stdout, StringComparison.Ordinal);

            File.WriteAllText(file, WritePolicy.Yaml("good", work).Replace("events: [open]", "events: [opne]", StringComparison.Ordinal));
            (code, stdout, _) = CliProcess.Run("policy", "check", file);
            Assert.Equal(1, code);
            Assert.Contains($"{file}:8:", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The file event's attribute, not the touch command line that names the same path.</summary>
    private static string FilePath(string directory, string name) => $"\"file.path\":\"{Path.Combine(directory, name)}\"";

    private static string List(string[] api)
    {
        (int code, string stdout, string stderr) = CliProcess.Run(["policy", "list", .. api]);
        Assert.True(code == 0, stderr);
        return stdout;
    }
}
