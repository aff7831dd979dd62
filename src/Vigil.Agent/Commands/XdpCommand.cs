using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Vigil.Agent.Api;
using Vigil.Agent.Host;
using Vigil.Bpf;
using Vigil.Guard;
using Vigil.Guard.Rules;
using Vigil.Sensors;

namespace Vigil.Agent.Commands;

/// <summary>
/// <c>vigil xdp ...</c>: the XDP guard, worked directly on its pinned state (no agent needed);
/// block and unblock go through a running agent's API when one owns the same pins.
/// The logic is in <see cref="XdpGuard"/>; this class only parses and prints.
/// </summary>
public static class XdpCommand
{
    private static readonly Option<string?> s_pinRoot = new("--pin-root")
    {
        Description = $"bpffs directory of Vigil's pinned state (default {GuardPaths.DefaultRoot}, or ${GuardPaths.RootVariable})",
        Recursive = true,
    };

    private static readonly Option<Uri> s_apiUrl = ApiArguments.Url("A running agent's API: block and unblock go through it when it owns the same pins");

    private static readonly Option<string> s_apiToken = ApiArguments.TokenFile();

    public static Command Create() => new("xdp", "XDP guard: line-rate filtering in the driver that keeps working while the agent restarts")
    {
        s_pinRoot,
        s_apiUrl,
        s_apiToken,
        Attach(),
        Detach(),
        Apply(),
        Block(),
        Unblock(),
        Rules(),
        Stats(),
    };

    private static Command Attach()
    {
        var iface = new Argument<string>("IFACE") { Description = "Interface to guard (in this network namespace)" };
        var mode = new Option<string>("--mode") { Description = "native (in the driver; falls back to generic with a warning) or generic", DefaultValueFactory = _ => "native" };
        mode.AcceptOnlyFromAmong("native", "generic");
        var monitor = new Option<bool>("--monitor") { Description = "Count and judge, but pass everything" };
        var command = new Command("attach", "Attach the guard to an interface (installing it when nothing is pinned)") { iface, mode, monitor };
        command.SetAction(result => Guarded("attach", () =>
        {
            using ILoggerFactory logs = Logging.Create(LogLevel.Warning);
            XdpMode wanted = result.GetValue(mode) == "generic" ? XdpMode.Generic : XdpMode.Native;
            string name = result.GetValue(iface)!;
            (XdpGuard guard, XdpMode used) = XdpGuard.Attach(Paths(result), ObjectPath, name, wanted, result.GetValue(monitor), logs.CreateLogger("vigil"));
            using (guard)
            {
                Console.WriteLine($"attached to {name} ({used.ToString().ToLowerInvariant()} mode, {(guard.Snapshot().Enforce ? "enforce" : "monitor")})");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Detach()
    {
        var command = new Command("detach", "Detach from every interface and remove all pinned guard state");
        command.SetAction(result => Guarded("detach", () =>
        {
            Console.WriteLine(XdpGuard.Remove(Paths(result)) ? "detached; guard state removed" : "nothing was attached");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Apply()
    {
        var file = new Argument<string>("FILE") { Description = "Rule set (YAML, see docs/xdp.md)" };
        var check = new Option<bool>("--check") { Description = "Only validate; change nothing" };
        var command = new Command("apply", "Validate a rule set and swap it in atomically") { file, check };
        command.SetAction(result => Guarded("apply", () =>
        {
            RuleSet set = RuleSetFile.Load(result.GetValue(file)!);
            if (result.GetValue(check))
            {
                Console.WriteLine($"valid: {set.Rules.Count} rules, {set.Allow.Count} allow, {set.Deny.Count} deny");
                return ExitCodes.Ok;
            }
            using XdpGuard guard = Open(result);
            guard.Apply(set);
            Console.WriteLine($"applied: {set.Rules.Count} rules, {set.Allow.Count} allow, {set.Deny.Count} deny, {(set.Enforce ? "enforce" : "monitor")}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Block()
    {
        var cidr = new Argument<string>("CIDR") { Description = "Network to drop, e.g. 203.0.113.0/24 or 2001:db8::/48" };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "Lift the ban after this long (90s, 10m, 2h, 1d); default: until unblocked", CustomParser = Durations.Parse };
        var command = new Command("block", "Ban a network (the allow list still wins)") { cidr, ttl };
        command.SetAction(async (result, cancel) => await GuardedAsync("block", async () =>
        {
            Cidr network = Cidr.Parse(result.GetValue(cidr)!);
            TimeSpan? lifetime = result.GetValue(ttl);
            string via = "";
            using (AgentApiClient? agent = await RunningAgent(result).ConfigureAwait(false))
            {
                if (agent is not null)
                {
                    await agent.BlockAsync(network, lifetime).ConfigureAwait(false);
                    via = $" (through the running agent at {agent.BaseAddress})";
                }
                else
                {
                    using XdpGuard guard = Open(result);
                    guard.Block(network, lifetime);
                }
            }
            Console.WriteLine((lifetime is { } t ? $"blocked {network} for {t}" : $"blocked {network}") + via);
            return ExitCodes.Ok;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Unblock()
    {
        var cidr = new Argument<string>("CIDR") { Description = "A network exactly as it was blocked" };
        var command = new Command("unblock", "Lift a ban") { cidr };
        command.SetAction(async (result, cancel) => await GuardedAsync("unblock", async () =>
        {
            Cidr network = Cidr.Parse(result.GetValue(cidr)!);
            string via = "";
            bool removed;
            using (AgentApiClient? agent = await RunningAgent(result).ConfigureAwait(false))
            {
                if (agent is not null)
                {
                    removed = await agent.UnblockAsync(network).ConfigureAwait(false);
                    via = $" (through the running agent at {agent.BaseAddress})";
                }
                else
                {
                    using XdpGuard guard = Open(result);
                    removed = guard.Unblock(network);
                }
            }
            if (!removed)
            {
                throw new GuardException($"{network} is not blocked");
            }
            Console.WriteLine($"unblocked {network}{via}");
            return ExitCodes.Ok;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Rules()
    {
        var all = new Option<bool>("--all") { Description = "List every allow/deny prefix, not only the first 20" };
        var command = new Command("rules", "Show the rule set in force, the lists and the bans") { all };
        command.SetAction(result => Guarded("rules", () =>
        {
            using XdpGuard guard = Open(result);
            GuardSnapshot s = guard.Snapshot();
            int shown = result.GetValue(all) ? int.MaxValue : 20;
            Console.WriteLine($"interfaces: {(s.Interfaces.Count == 0 ? "none" : string.Join(", ", s.Interfaces))}");
            Console.WriteLine($"mode: {(s.Enforce ? "enforce" : "monitor")}, default: {s.DefaultAction.ToString().ToLowerInvariant()}, sample 1 in {s.SampleEvery}, generation {s.Generation}");
            Console.WriteLine($"rules ({s.Rules.Count}):");
            foreach (GuardRule r in s.Rules)
            {
                Console.WriteLine($"  {RuleText.Describe(r)}");
            }
            PrintList("allow", s.Allow, shown);
            PrintList("deny", s.Deny, shown);
            DateTime now = DateTime.UtcNow;
            Console.WriteLine($"bans ({s.Bans.Count}):");
            foreach (GuardBan b in s.Bans.OrderBy(b => b.Cidr.ToString(), StringComparer.Ordinal))
            {
                string expiry = b.Expires is not { } e ? "until unblocked" : b.IsExpired(now) ? "expired" : $"{(e - now).TotalSeconds:0}s left";
                Console.WriteLine($"  {b.Cidr} ({(b.Automatic ? "auto" : "operator")}, {expiry})");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Stats()
    {
        var interval = new Option<TimeSpan?>("--interval") { Description = "Rates over this interval (default 1s)", CustomParser = Durations.Parse };
        var count = new Option<int>("--count") { Description = "Reports to print; 0 = until Ctrl-C", DefaultValueFactory = _ => 1 };
        var command = new Command("stats", "Live per-rule packets/s, bytes and drops (summed over CPUs)") { interval, count };
        command.SetAction(async (result, cancel) => await GuardedAsync("stats", async () =>
        {
            using XdpGuard guard = Open(result);
            TimeSpan every = result.GetValue(interval) ?? TimeSpan.FromSeconds(1);
            int reports = result.GetValue(count);
            List<GuardCounterRow> before = guard.ReadCounters();
            for (int n = 0; reports == 0 || n < reports; n++)
            {
                try
                {
                    await Task.Delay(every, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                List<GuardCounterRow> after = guard.ReadCounters();
                Console.WriteLine($"{"COUNTER",-28} {"PACKETS",14} {"BYTES",16} {"DROPPED",14} {"PPS",12} {"DROP/S",12}");
                foreach (GuardCounterRow row in after)
                {
                    GuardCounter prev = before.FirstOrDefault(b => b.Name == row.Name)?.Counter ?? default;
                    double pps = (row.Counter.Packets - Math.Min(prev.Packets, row.Counter.Packets)) / every.TotalSeconds;
                    double dps = (row.Counter.Dropped - Math.Min(prev.Dropped, row.Counter.Dropped)) / every.TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{row.Name,-28} {row.Counter.Packets,14} {row.Counter.Bytes,16} {row.Counter.Dropped,14} {pps,12:0} {dps,12:0}"));
                }
                before = after;
            }
            return ExitCodes.Ok;
        }).ConfigureAwait(false));
        return command;
    }

    private static string ObjectPath => new SensorOptions().ObjectPath(XdpGuard.ObjectName);

    private static GuardPaths Paths(ParseResult result) => GuardPaths.Default(result.GetValue(s_pinRoot));

    private static XdpGuard Open(ParseResult result) => XdpGuard.Open(Paths(result), ObjectPath);

    private static Task<AgentApiClient?> RunningAgent(ParseResult result) =>
        AgentApiClient.ConnectAsync(result.GetValue(s_apiUrl)!, result.GetValue(s_apiToken)!, Paths(result));

    private static void PrintList(string name, IReadOnlyList<Cidr> cidrs, int shown)
    {
        Console.WriteLine($"{name} ({cidrs.Count}):");
        foreach (Cidr c in cidrs.Take(shown))
        {
            Console.WriteLine($"  {c}");
        }
        if (cidrs.Count > shown)
        {
            Console.WriteLine($"  ... {cidrs.Count - shown} more (--all)");
        }
    }

    private static int Guarded(string what, Func<int> body) => GuardedAsync(what, () => Task.FromResult(body())).GetAwaiter().GetResult();

    /// <summary>Bad input and refusals become one clear line on stderr and an exit code, never a stack trace.</summary>
    private static async Task<int> GuardedAsync(string what, Func<Task<int>> body)
    {
        if (!Privileges.CanUseBpf(out string missing))
        {
            await Console.Error.WriteLineAsync($"vigil xdp {what} needs {missing}: run it as root.").ConfigureAwait(false);
            return ExitCodes.NoPermission;
        }
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RuleSetException or FormatException)
        {
            await Console.Error.WriteLineAsync($"vigil xdp {what}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is GuardException or BpfException or IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"vigil xdp {what}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
