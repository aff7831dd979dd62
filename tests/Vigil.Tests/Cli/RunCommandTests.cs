using System.Text.Json;
using Vigil.Storage;
using Vigil.Storage.Records;
using Vigil.Tests.Support;

namespace Vigil.Tests.Cli;

public sealed class RunCommandTests
{
    [Fact]
    public void Vigil_run_streams_exec_and_exit_of_a_shell_loop_as_json_and_cleans_up_on_sigterm()
    {
        KernelRequirement.Check();
        using var agent = new CliProcess(["run"]);
        agent.WaitUntilRunning();
        List<int> programs = Bpftool.ProgramsHeldBy(agent.Pid);
        Assert.NotEmpty(programs);

        string marker = Children.Marker();
        Children.Run("/bin/sh", "-c", $"for i in 1 2 3; do /bin/sh -c 'exit 4' {marker}-$i; done");

        for (int i = 1; i <= 3; i++)
        {
            string tag = $"{marker}-{i}";
            using JsonDocument exec = JsonDocument.Parse(agent.WaitForLine(l => l.Contains("process.exec", StringComparison.Ordinal) && l.Contains(tag, StringComparison.Ordinal), TimeSpan.FromSeconds(1)));
            JsonElement root = exec.RootElement;
            Assert.Equal("/bin/sh", root.GetProperty("process.executable.path").GetString());
            Assert.Equal(tag, root.GetProperty("process.command_args")[3].GetString());
            uint pid = root.GetProperty("process.pid").GetUInt32();
            using JsonDocument exit = JsonDocument.Parse(agent.WaitForLine(l => l.Contains("process.exit", StringComparison.Ordinal) && l.Contains($"\"process.pid\":{pid},", StringComparison.Ordinal), TimeSpan.FromSeconds(1)));
            Assert.Equal(4, exit.RootElement.GetProperty("process.exit.code").GetInt32());
            Assert.Equal(root.GetProperty("vigil.exec_id").GetString(), exit.RootElement.GetProperty("vigil.exec_id").GetString());
        }

        agent.Signal(15);
        Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.All(programs, id => Assert.False(Bpftool.ProgramExists(id), $"program {id} left behind"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a script's background job: bash starts it with SIGINT ignored
    public void Vigil_run_stops_cleanly_on_sigint_detaching_its_programs_and_closing_the_store(bool sigintIgnored)
    {
        KernelRequirement.Check();
        using var store = new TempStore();
        List<int> programs;
        using (var agent = new CliProcess(["run", "--store", store.Path, "--api", "none"], sigintIgnored: sigintIgnored))
        {
            agent.WaitUntilRunning();
            programs = Bpftool.ProgramsHeldBy(agent.Pid);
            Assert.NotEmpty(programs);
            agent.Signal(2);
            Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains("stopping: detaching programs", agent.Stderr, StringComparison.Ordinal);
        }
        Assert.All(programs, id => Assert.False(Bpftool.ProgramExists(id), $"program {id} left behind"));
        using EdgeStore stopped = EdgeStore.OpenReadOnly(store.Path);
        StoreRun run = Assert.Single(stopped.Runs());
        Assert.True(run.Clean, "the store's run was not marked cleanly stopped");
        Assert.NotNull(run.Stopped);
    }

    [Fact]
    public void Vigil_run_as_table_prints_a_header_and_rows()
    {
        KernelRequirement.Check();
        using var agent = new CliProcess(["run", "-o", "table"]);
        agent.WaitUntilRunning();
        string marker = Children.Marker();
        Children.Run("/bin/sh", "-c", "exit 0", marker);
        agent.WaitForLine(l => l.StartsWith("TIME", StringComparison.Ordinal) && l.Contains("COMM", StringComparison.Ordinal), TimeSpan.FromSeconds(2));
        string row = agent.WaitForLine(l => l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(2));
        Assert.Contains(" exec ", row, StringComparison.Ordinal);
        agent.Signal(2);
        Assert.Equal(0, agent.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Without_privileges_vigil_run_says_so_and_exits_77()
    {
        var (code, stdout, stderr) = CliProcess.RunAs("65534", "run");
        Assert.Equal(77, code);
        Assert.Contains("vigil run needs root", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
        Assert.Empty(stdout);
    }

    [Fact]
    public void A_bad_argument_is_named_and_nothing_starts()
    {
        var (code, _, stderr) = CliProcess.Run("run", "-o", "xml");
        Assert.NotEqual(0, code);
        Assert.Contains("xml", stderr, StringComparison.Ordinal);
        var (budgetCode, _, budgetErr) = CliProcess.Run("run", "--args-budget", "9000");
        Assert.Equal(64, budgetCode);
        Assert.Contains("argv budget 9000", budgetErr, StringComparison.Ordinal);
    }
}
