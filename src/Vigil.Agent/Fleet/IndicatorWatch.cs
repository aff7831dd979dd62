using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Vigil.Agent.Pipeline;
using Vigil.Detection.Rules;
using Vigil.Enrichment.Processes;
using Vigil.Events;
using Vigil.Fleet;

namespace Vigil.Agent.Fleet;

/// <summary>
/// The fleet's binary-hash and domain indicators in force on this node, matched in user space on
/// this sink's own queue: each exec is hashed (<see cref="BinaryHashes"/>, cached by file) and an
/// exec of a listed binary becomes a detection, and with <c>--fleet-indicators enforce</c> the
/// process is killed; a connection to an address a listed domain resolved to becomes a detection.
/// Detections carry the tag <see cref="Tag"/>, so they never raise indicators of their own.
/// </summary>
public sealed partial class IndicatorWatch : ConclusionQueue
{
    public const string Tag = "fleet-indicator";
    private const int SigKill = 9;
    private readonly ConcurrentDictionary<string, ThreatIndicator> _hashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPAddress, (ThreatIndicator Indicator, string Domain)> _addresses = new();
    private readonly BinaryHashes _binaries;
    private readonly ILogger _log;
    private Action<RuleDetection>? _detected;

    public IndicatorWatch(BinaryHashes binaries, bool enforce, ILogger log, int capacity = 16384)
        : base("fleet-indicators", capacity)
    {
        _binaries = binaries;
        Enforce = enforce;
        _log = log;
        StartDraining();
    }

    /// <summary>Kill the processes of listed binaries (not only report them).</summary>
    public bool Enforce { get; }

    /// <summary>Where matches go (the agent's analysis pipeline), once the agent runs.</summary>
    public void ReportTo(Action<RuleDetection> detected) => _detected = detected;

    public void WatchBinary(ThreatIndicator indicator) => _hashes[indicator.Value] = indicator;

    public void WatchDomain(ThreatIndicator indicator, IEnumerable<IPAddress> addresses)
    {
        foreach (IPAddress address in addresses)
        {
            _addresses[Normal(address)] = (indicator, indicator.Value);
        }
    }

    protected override bool Wants(object record) => record switch
    {
        ProcessExecEvent => !_hashes.IsEmpty,
        NetworkEvent { Syscall: "connect" } => !_addresses.IsEmpty,
        _ => false,
    };

    protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        DateTime now = DateTime.UtcNow;
        foreach (object record in batch)
        {
            switch (record)
            {
                case ProcessExecEvent exec when _binaries.OfProcess(exec.Process.Pid, exec.Binary) is { } hash
                                                && _hashes.TryGetValue(hash.Sha256, out ThreatIndicator? indicator):
                    if (Expired(indicator, now, () => _hashes.TryRemove(hash.Sha256, out _)))
                    {
                        break;
                    }
                    string action = !Enforce ? "flagged" : Kill(exec.Process.Pid, hash.File) ? "killed" : "gone before it could be killed";
                    Detect(exec, "Fleet indicator: binary", indicator,
                        $"exec of {exec.Binary} (sha256 {hash.Sha256}, pid {exec.Process.Pid}) matches fleet indicator {indicator.Id} from {indicator.Origin} ({indicator.Reason}): {action}",
                        [new("process.hash.sha256", hash.Sha256), new("vigil.indicator.action", action)]);
                    break;
                case NetworkEvent net when _addresses.TryGetValue(Normal(net.DestinationAddress), out var listed):
                    if (Expired(listed.Indicator, now, () => _addresses.TryRemove(Normal(net.DestinationAddress), out _)))
                    {
                        break;
                    }
                    Detect(net, "Fleet indicator: domain", listed.Indicator,
                        $"connection to {net.DestinationAddress}:{net.DestinationPort}, an address of {listed.Domain}, matches fleet indicator {listed.Indicator.Id} from {listed.Indicator.Origin} ({listed.Indicator.Reason})",
                        [new("destination.domain", listed.Domain), new("destination.address", net.DestinationAddress.ToString())]);
                    break;
            }
        }
        return ValueTask.CompletedTask;
    }

    private static bool Expired(ThreatIndicator indicator, DateTime now, Action forget)
    {
        if (!indicator.IsExpired(now))
        {
            return false;
        }
        forget();
        return true;
    }

    private void Detect(VigilEvent e, string rule, ThreatIndicator indicator, string output, KeyValuePair<string, string>[] fields)
    {
        _log.LogWarning("fleet: {Output}", output);
        _detected?.Invoke(new RuleDetection(rule, RulePriority.Critical, [Tag], output,
            [.. fields, new("vigil.indicator.id", indicator.Id), new("vigil.indicator.origin", indicator.Origin)], e, 0));
    }

    /// <summary>
    /// SIGKILL through a pidfd, after checking that the process still runs the image that matched:
    /// the pidfd pins the process, so a reused pid is never hit.
    /// </summary>
    private static bool Kill(uint pid, FileIdentity image)
    {
        int pidfd = PidfdOpen((int)pid, 0);
        if (pidfd < 0)
        {
            return false;
        }
        try
        {
            return BinaryHashes.IdentityOf($"/proc/{pid}/exe") == image && PidfdSendSignal(pidfd, SigKill, IntPtr.Zero, 0) == 0;
        }
        finally
        {
            _ = Close(pidfd);
        }
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidfdOpen(int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "pidfd_send_signal", SetLastError = true)]
    private static partial int PidfdSendSignal(int pidfd, int signal, IntPtr info, uint flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
