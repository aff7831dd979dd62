using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using Vigil.Agent.Host;
using Vigil.Fleet;
using Vigil.Policy;

namespace Vigil.Agent.Commands;

/// <summary>
/// <c>vigil fleet ...</c>: the fleet as NATS shows it (<c>status</c>), and the policies it distributes
/// (<c>policy put FILE</c>, <c>policy delete NAME</c>); needs no agent on this machine.
/// </summary>
public static class FleetCommand
{
    public static Command Create() => new("fleet", "The fleet over NATS: nodes, their health and versions, distributed policies") { Status(), Policy() };

    private static Command Status()
    {
        var fleet = new FleetArguments();
        var command = new Command("status", "List the fleet's nodes from their heartbeats: last seen, version, health, drops");
        fleet.AddTo(command, agent: false);
        // Only reads: no streams or buckets are made from here.
        command.SetAction((result, cancel) => WithFleetAsync(fleet, result, "status", cancel, async (connection, timeout) =>
        {
            var status = new FleetStatus(connection.KeyValue, connection.Names);
            Print(await status.NodesAsync(timeout).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Policy()
    {
        var fileArgument = new Argument<string>("FILE") { Description = "Policy file (YAML, docs/policies.md)" };
        var put = new Command("put", "Validate a policy file and store it in the fleet's policies bucket (key: its name); every agent validates and applies it") { fileArgument };
        var putFleet = new FleetArguments();
        putFleet.AddTo(put, agent: false);
        put.SetAction((result, cancel) =>
        {
            string file = result.GetValue(fileArgument)!;
            PolicyDocument policy;
            try
            {
                policy = PolicyReader.ReadFile(file);
            }
            catch (Exception ex) when (ex is PolicyException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(ex is PolicyException ? ex.Message : $"{file}: {ex.Message}");
                return Task.FromResult(ExitCodes.Failure);
            }
            return WithFleetAsync(putFleet, result, "policy put", cancel, async (connection, timeout) =>
            {
                INatsKVStore bucket = await connection.KeyValue.GetStoreAsync(connection.Names.PoliciesBucket, timeout).ConfigureAwait(false);
                ulong revision = await bucket.PutAsync(policy.Name, await File.ReadAllBytesAsync(file, timeout).ConfigureAwait(false), cancellationToken: timeout).ConfigureAwait(false);
                Console.WriteLine($"put: policy {policy.Name} as revision {revision} of {connection.Names.PoliciesBucket}; each agent validates it with its policies and reports on vigil.{connection.Options.Cluster}.NODE.policies");
                return ExitCodes.Ok;
            });
        });

        var nameArgument = new Argument<string>("NAME") { Description = "Policy name (its key in the bucket)" };
        var delete = new Command("delete", "Remove a policy from the fleet's policies bucket; every agent takes it out of force") { nameArgument };
        var deleteFleet = new FleetArguments();
        deleteFleet.AddTo(delete, agent: false);
        delete.SetAction((result, cancel) => WithFleetAsync(deleteFleet, result, "policy delete", cancel, async (connection, timeout) =>
        {
            string name = result.GetValue(nameArgument)!;
            INatsKVStore bucket = await connection.KeyValue.GetStoreAsync(connection.Names.PoliciesBucket, timeout).ConfigureAwait(false);
            try
            {
                await bucket.GetEntryAsync<byte[]>(name, cancellationToken: timeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsKVKeyNotFoundException or NatsKVKeyDeletedException)
            {
                await Console.Error.WriteLineAsync($"vigil fleet policy delete: no policy {name} in {connection.Names.PoliciesBucket}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            await bucket.DeleteAsync(name, cancellationToken: timeout).ConfigureAwait(false);
            Console.WriteLine($"deleted: policy {name} from {connection.Names.PoliciesBucket}");
            return ExitCodes.Ok;
        }));
        return new Command("policy", "Policies distributed to every agent through the fleet's policies bucket") { put, delete };
    }

    /// <summary>Connects as the CLI (10 s at most) and runs <paramref name="body"/>; NATS failures become one line and exit 1.</summary>
    private static async Task<int> WithFleetAsync(FleetArguments fleet, ParseResult result, string what, CancellationToken cancel,
        Func<FleetConnection, CancellationToken, Task<int>> body)
    {
        FleetOptions? options = fleet.Read(result);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"vigil fleet {what}: --nats URL is required").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        options = options with { Node = "cli" };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"vigil fleet {what}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        await using var connection = new FleetConnection(options, NullLogger.Instance);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await connection.Nats.ConnectAsync().AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
            return await body(connection, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"vigil fleet {what}: cluster {options.Cluster} at {options.Url}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
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
