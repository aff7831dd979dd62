using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using Vigil.Agent.Host;
using Vigil.Fleet;

namespace Vigil.Agent.Commands;

/// <summary><c>vigil fleet ...</c>: the fleet as NATS shows it; needs no agent on this machine.</summary>
public static class FleetCommand
{
    public static Command Create() => new("fleet", "The fleet over NATS: nodes, their health and versions") { Status() };

    private static Command Status()
    {
        var fleet = new FleetArguments();
        var command = new Command("status", "List the fleet's nodes from their heartbeats: last seen, version, health, drops");
        fleet.AddTo(command, agent: false);
        command.SetAction(async (result, cancel) =>
        {
            FleetOptions? options = fleet.Read(result);
            if (options is null)
            {
                await Console.Error.WriteLineAsync("vigil fleet status: --nats URL is required").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            try
            {
                (options with { Node = "cli" }).Validate();
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"vigil fleet status: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            await using var connection = new FleetConnection(options with { Node = "cli" }, NullLogger.Instance);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                // Only reads: no streams or buckets are made from here.
                await connection.Nats.ConnectAsync().AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
                var status = new FleetStatus(connection.KeyValue, connection.Names);
                Print(await status.NodesAsync(timeout.Token).ConfigureAwait(false));
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"vigil fleet status: cannot read the nodes of cluster {options.Cluster} from {options.Url}: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static void Print(IReadOnlyList<FleetNode> nodes)
    {
        Console.WriteLine($"{"NODE",-20} {"LAST SEEN",-10} {"VERSION",-24} {"HEALTH",-9} {"SENSORS",-30} DROPS");
        DateTime now = DateTime.UtcNow;
        foreach (FleetNode n in nodes)
        {
            NodeHeartbeat h = n.Heartbeat;
            string ago = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (now - n.LastSeen).TotalSeconds):0}s ago");
            string health = n.Stale ? "stale" : h.Health;
            string sensors = string.Join(", ", h.Sensors.Select(s => $"{s.Key} {s.Value}"));
            string drops = string.Join(", ", h.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"));
            Console.WriteLine($"{h.Node,-20} {ago,-10} {h.Version,-24} {health,-9} {sensors,-30} {(drops.Length == 0 ? "none" : drops)}");
        }
        Console.WriteLine($"{nodes.Count} nodes");
    }
}
