using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Vigil.Bpf;
using Vigil.Guard.Rules;
using Vigil.Sensors;

namespace Vigil.Guard;

/// <summary>
/// The XDP guard's control plane over its pinned state: install, adopt, attach, swap rule sets,
/// ban and unban, read counters. It needs no running agent; the CLI, the agent and (later) the
/// local API all go through this class. Disposing closes fds only: the data plane keeps running.
/// </summary>
public sealed unsafe class XdpGuard : IDisposable
{
    public const string ObjectName = "xdp_guard";
    private const string ProgramName = "vigil_xdp_guard";
    private static readonly string[] s_mapNames =
        ["xdp_state", "xdp_config", "xdp_rules", "xdp_list_v4", "xdp_list_v6", "xdp_bans_v4", "xdp_bans_v6", "xdp_bans_present", "xdp_limits", "xdp_counters", "xdp_samples", "xdp_sample_clock", "vigil_drops"];

    private readonly Dictionary<string, BpfMap> _maps;

    private XdpGuard(GuardPaths paths, Dictionary<string, BpfMap> maps)
    {
        Paths = paths;
        _maps = maps;
    }

    public GuardPaths Paths { get; }

    /// <summary>The ring of sampled packet headers (1 in N judged packets).</summary>
    public BpfMap Samples => _maps["xdp_samples"];

    private BpfMap State => _maps["xdp_state"];
    private BpfMap Config => _maps["xdp_config"];
    private BpfMap RulesMap => _maps["xdp_rules"];
    private BpfMap ListV4 => _maps["xdp_list_v4"];
    private BpfMap ListV6 => _maps["xdp_list_v6"];
    private BpfMap BansV4 => _maps["xdp_bans_v4"];
    private BpfMap BansV6 => _maps["xdp_bans_v6"];
    private BpfMap BansPresent => _maps["xdp_bans_present"];
    private BpfMap Counters => _maps["xdp_counters"];

    /// <summary>Rule-set capacity: each trie holds two generations during a swap.</summary>
    public int ListCapacityV4 => ListV4.MaxEntries / 2;

    public int ListCapacityV6 => ListV6.MaxEntries / 2;

    public static bool IsInstalled(GuardPaths paths) => File.Exists(paths.Map("xdp_state"));

    /// <summary>Adopts the pinned state a previous agent or CLI call left, after checking its schema.</summary>
    public static XdpGuard Open(GuardPaths paths, string objectPath)
    {
        if (!IsInstalled(paths))
        {
            throw new GuardException($"the XDP guard is not attached (nothing pinned under {paths.Directory}): run vigil xdp attach IFACE");
        }
        using (BpfObject obj = BpfObject.Open(objectPath))
        {
            CheckLayouts(obj.Btf);
        }
        var maps = new Dictionary<string, BpfMap>(StringComparer.Ordinal);
        try
        {
            foreach (string name in s_mapNames)
            {
                maps[name] = BpfMap.OpenPinned(paths.Map(name));
            }
        }
        catch
        {
            foreach (BpfMap m in maps.Values)
            {
                m.Dispose();
            }
            throw;
        }
        var guard = new XdpGuard(paths, maps);
        StateValue state = guard.ReadState();
        if (state.Schema != GuardLimits.Schema)
        {
            guard.Dispose();
            throw new GuardException($"{paths.Directory} holds guard state of schema {state.Schema}; this agent speaks schema {GuardLimits.Schema}: run vigil xdp detach first");
        }
        return guard;
    }

    /// <summary>
    /// Attaches the guard to <paramref name="iface"/>, installing the program and maps first when
    /// nothing is pinned. Native mode falls back to generic (with a warning) where the driver lacks XDP.
    /// On failure a fresh install is removed again.
    /// </summary>
    public static (XdpGuard Guard, XdpMode Mode) Attach(GuardPaths paths, string objectPath, string iface, XdpMode mode, bool monitor, ILogger logger)
    {
        int ifindex = NetworkInterfaces.Index(iface)
            ?? throw new GuardException($"no interface named '{iface}' in this network namespace");
        if (File.Exists(paths.Link(iface)))
        {
            throw new GuardException($"the guard is already attached to {iface} ({paths.Link(iface)})");
        }
        bool fresh = !IsInstalled(paths);
        XdpGuard guard = fresh ? Install(paths, objectPath) : Open(paths, objectPath);
        try
        {
            XdpMode used = guard.Link(iface, ifindex, mode, logger);
            if (monitor)
            {
                guard.SetEnforce(false);
            }
            return (guard, used);
        }
        catch
        {
            guard.Dispose();
            if (fresh)
            {
                Remove(paths);
            }
            throw;
        }
    }

    /// <summary>Removes every pin: links (which detaches the program), maps, program. False when nothing was pinned.</summary>
    public static bool Remove(GuardPaths paths)
    {
        if (!Directory.Exists(paths.Directory))
        {
            return false;
        }
        if (Directory.Exists(paths.LinkDirectory))
        {
            foreach (string link in Directory.GetFiles(paths.LinkDirectory))
            {
                File.Delete(link);
            }
        }
        Directory.Delete(paths.Directory, recursive: true);
        if (Directory.Exists(paths.Root) && !Directory.EnumerateFileSystemEntries(paths.Root).Any())
        {
            Directory.Delete(paths.Root);
        }
        return true;
    }

    /// <summary>Validates, compiles and writes a rule set beside the one in force, then swaps generations in one write.</summary>
    public void Apply(RuleSet set)
    {
        CompiledRuleSet compiled = RuleCompiler.Compile(set, ListCapacityV4, ListCapacityV6);
        StateValue state = ReadState();
        uint next = state.Generation ^ 1;
        ClearGeneration(next);
        try
        {
            foreach ((Cidr cidr, GuardAction action) in compiled.V4.Concat(compiled.V6))
            {
                var entry = new ListEntry { Action = (uint)action };
                if (cidr.IsV4)
                {
                    ListV4.Update(KeyV4(cidr, next), entry);
                }
                else
                {
                    ListV6.Update(KeyV6(cidr, next), entry);
                }
            }
            for (int i = 0; i < compiled.Rules.Length; i++)
            {
                uint index = next * GuardLimits.MaxRules + (uint)i;
                RulesMap.Update(index, compiled.Rules[i]);
                ZeroCounter((uint)GuardSlot.Rules + index);
            }
            Config.Update(next, compiled.Config);
        }
        catch (BpfException ex)
        {
            ClearGeneration(next);
            throw new GuardException($"rule set not applied (the one in force is unchanged): {ex.Message}", ex);
        }
        State.Update(0u, state with { Generation = next, AppliedNs = BootClock.BootNanosecondsNow });
        ClearGeneration(state.Generation);
    }

    /// <summary>Switches the rule set in force between enforce and monitor (count and pass).</summary>
    public void SetEnforce(bool enforce)
    {
        uint generation = ReadState().Generation;
        Config.TryLookup(generation, out ConfigValue config);
        Config.Update(generation, config with { Enforce = enforce ? 1u : 0u });
    }

    /// <summary>Drops everything from <paramref name="cidr"/> (unless allowed) until unblocked or the TTL passes.</summary>
    public void Block(Cidr cidr, TimeSpan? ttl, bool automatic = false)
    {
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            throw new GuardException($"ttl {t} must be positive");
        }
        var ban = new BanValue
        {
            ExpiresNs = ttl is { } span ? BootClock.BootNanosecondsNow + (ulong)(span.Ticks * 100) : 0,
            Origin = automatic ? 2u : 1u,
        };
        try
        {
            if (cidr.IsV4)
            {
                BansV4.Update(KeyV4(cidr, 0), ban);
            }
            else
            {
                BansV6.Update(KeyV6(cidr, 0), ban);
            }
        }
        catch (BpfException ex) when (ex.Errno is Errno.ENOSPC or Errno.E2BIG)
        {
            throw new GuardException($"cannot block {cidr}: the ban list is full ({(cidr.IsV4 ? BansV4 : BansV6).MaxEntries} entries)", ex);
        }
        BansPresent.Update(0u, 1u);
    }

    /// <summary>Lifts a ban on exactly this network; false when it was not banned.</summary>
    public bool Unblock(Cidr cidr)
    {
        bool removed = cidr.IsV4 ? BansV4.Delete(KeyV4(cidr, 0)) : BansV6.Delete(KeyV6(cidr, 0));
        if (removed && NoBans())
        {
            // Another process may insert a ban right now: it sets the flag after inserting, and
            // the second look here catches one that landed before the flag went down.
            BansPresent.Update(0u, 0u);
            if (!NoBans())
            {
                BansPresent.Update(0u, 1u);
            }
        }
        return removed;
    }

    private bool NoBans() => BansV4.IsEmpty<LpmKeyV4>() && BansV6.IsEmpty<LpmKeyV6>();

    public List<GuardBan> Bans()
    {
        var bans = new List<GuardBan>();
        foreach (LpmKeyV4 key in BansV4.Keys<LpmKeyV4>())
        {
            if (BansV4.TryLookup(key, out BanValue ban))
            {
                bans.Add(ToBan(FromKey(key), ban));
            }
        }
        foreach (LpmKeyV6 key in BansV6.Keys<LpmKeyV6>())
        {
            if (BansV6.TryLookup(key, out BanValue ban))
            {
                bans.Add(ToBan(FromKey(key), ban));
            }
        }
        return bans;
    }

    /// <summary>Deletes bans whose TTL passed (the data plane already ignores them); returns them.</summary>
    public List<GuardBan> ReapExpiredBans()
    {
        DateTime now = DateTime.UtcNow;
        List<GuardBan> expired = [.. Bans().Where(b => b.IsExpired(now))];
        foreach (GuardBan ban in expired)
        {
            Unblock(ban.Cidr);
        }
        return expired;
    }

    public uint SampleEvery => ActiveConfig().SampleEvery;

    public GuardSnapshot Snapshot()
    {
        StateValue state = ReadState();
        ConfigValue config = ActiveConfig();
        var allow = new List<Cidr>();
        var deny = new List<Cidr>();
        foreach (LpmKeyV4 key in ListV4.Keys<LpmKeyV4>().Where(k => k.Generation == state.Generation))
        {
            ListV4.TryLookup(key, out ListEntry e);
            (e.Action == (uint)GuardAction.Pass ? allow : deny).Add(FromKey(key));
        }
        foreach (LpmKeyV6 key in ListV6.Keys<LpmKeyV6>().Where(k => k.Generation == state.Generation))
        {
            ListV6.TryLookup(key, out ListEntry e);
            (e.Action == (uint)GuardAction.Pass ? allow : deny).Add(FromKey(key));
        }
        return new GuardSnapshot
        {
            Generation = (int)state.Generation,
            Enforce = config.Enforce != 0,
            DefaultAction = (GuardAction)config.DefaultAction,
            SampleEvery = config.SampleEvery,
            Rules = ActiveRules(state.Generation, config),
            Allow = allow,
            Deny = deny,
            Bans = Bans(),
            Interfaces = Directory.Exists(Paths.LinkDirectory) ? [.. Directory.GetFiles(Paths.LinkDirectory).Select(Path.GetFileName).OfType<string>().Order().Select(Describe)] : [],
        };
    }

    /// <summary>Every counter of the rule set in force, summed over CPUs: fixed verdicts first, then rules in order.</summary>
    public List<GuardCounterRow> ReadCounters()
    {
        StateValue state = ReadState();
        ConfigValue config = ActiveConfig();
        var rows = new List<GuardCounterRow>();
        foreach (GuardSlot slot in new[] { GuardSlot.Allow, GuardSlot.Deny, GuardSlot.Ban, GuardSlot.Default, GuardSlot.Neighbour, GuardSlot.NonIp, GuardSlot.Malformed })
        {
            rows.Add(new GuardCounterRow(SlotName(slot), ReadCounter((uint)slot)));
        }
        IReadOnlyList<GuardRule> rules = ActiveRules(state.Generation, config);
        for (int i = 0; i < rules.Count; i++)
        {
            rows.Add(new GuardCounterRow("rule " + rules[i].Name, ReadCounter((uint)GuardSlot.Rules + state.Generation * GuardLimits.MaxRules + (uint)i)));
        }
        return rows;
    }

    /// <summary>Opens the pinned program, e.g. to test-run it.</summary>
    public SafeFileHandle OpenProgram() => BpfSystem.OpenPinned(Paths.Program);

    public void Dispose()
    {
        foreach (BpfMap map in _maps.Values)
        {
            map.Dispose();
        }
        _maps.Clear();
    }

    /// <summary>Loads and pins the program and maps, attached nowhere yet (also what benchmarks test-run).</summary>
    public static XdpGuard Install(GuardPaths paths, string objectPath)
    {
        if (IsInstalled(paths))
        {
            throw new GuardException($"guard state is already pinned under {paths.Directory}");
        }
        Directory.CreateDirectory(paths.LinkDirectory);
        try
        {
            using BpfObject obj = BpfObject.Open(objectPath);
            CheckLayouts(obj.Btf);
            obj.Load();
            obj.Map("xdp_config").Update(0u, RuleCompiler.Compile(new RuleSet(), 0, 0).Config);
            obj.Map("xdp_state").Update(0u, new StateValue { Schema = GuardLimits.Schema, AppliedNs = BootClock.BootNanosecondsNow });
            foreach (string name in s_mapNames)
            {
                obj.Map(name).Pin(paths.Map(name));
            }
            obj.Program(ProgramName).Pin(paths.Program);
            return Open(paths, objectPath);
        }
        catch
        {
            Remove(paths);
            throw;
        }
    }

    private XdpMode Link(string iface, int ifindex, XdpMode mode, ILogger logger)
    {
        using SafeFileHandle program = OpenProgram();
        SafeFileHandle link;
        try
        {
            link = BpfSystem.AttachXdp(program, ifindex, mode);
        }
        catch (BpfException ex) when (mode == XdpMode.Native && ex.Errno is Errno.EOPNOTSUPP or Errno.EINVAL)
        {
            logger.LogWarning("{Interface}: the driver has no native XDP ({Reason}); using generic mode, which is slower", iface, ex.Message);
            mode = XdpMode.Generic;
            link = BpfSystem.AttachXdp(program, ifindex, mode);
        }
        using (link)
        {
            BpfSystem.Pin(link, Paths.Link(iface));
        }
        return mode;
    }

    private static void CheckLayouts(BtfInfo btf)
    {
        btf.CheckLayout<RuleValue>("vigil_xdp_rule");
        btf.CheckLayout<ConfigValue>("vigil_xdp_config");
        btf.CheckLayout<StateValue>("vigil_xdp_state");
        btf.CheckLayout<BanValue>("vigil_xdp_ban");
        btf.CheckLayout<ListEntry>("vigil_xdp_list_entry");
        btf.CheckLayout<GuardCounter>("vigil_xdp_counter");
        btf.CheckLayout<LpmKeyV4>("vigil_xdp_key_v4");
        btf.CheckLayout<LpmKeyV6>("vigil_xdp_key_v6");
        btf.CheckLayout<SampleRecord>("vigil_xdp_sample");
    }

    private StateValue ReadState() =>
        State.TryLookup(0u, out StateValue state) ? state : throw new GuardException("guard state record is missing");

    private ConfigValue ActiveConfig()
    {
        Config.TryLookup(ReadState().Generation, out ConfigValue config);
        return config;
    }

    private List<GuardRule> ActiveRules(uint generation, ConfigValue config)
    {
        var rules = new List<GuardRule>();
        for (uint i = 0; i < config.RuleCount; i++)
        {
            RulesMap.TryLookup(generation * GuardLimits.MaxRules + i, out RuleValue rule);
            rules.Add(RuleCompiler.Decompile(rule));
        }
        return rules;
    }

    private GuardCounter ReadCounter(uint slot)
    {
        Span<GuardCounter> perCpu = stackalloc GuardCounter[BpfSystem.PossibleCpus];
        var sum = new GuardCounter();
        if (Counters.TryLookupPerCpu(slot, perCpu))
        {
            foreach (GuardCounter c in perCpu)
            {
                sum.Packets += c.Packets;
                sum.Bytes += c.Bytes;
                sum.Dropped += c.Dropped;
            }
        }
        return sum;
    }

    private void ZeroCounter(uint slot)
    {
        Counters.UpdatePerCpu(slot, (ReadOnlySpan<GuardCounter>)new GuardCounter[BpfSystem.PossibleCpus]);
    }

    private void ClearGeneration(uint generation)
    {
        foreach (LpmKeyV4 key in ListV4.Keys<LpmKeyV4>().Where(k => k.Generation == generation))
        {
            ListV4.Delete(key);
        }
        foreach (LpmKeyV6 key in ListV6.Keys<LpmKeyV6>().Where(k => k.Generation == generation))
        {
            ListV6.Delete(key);
        }
    }

    /// <summary>An attached interface with its XDP mode, as this network namespace sees it.</summary>
    private static string Describe(string iface)
    {
        if (NetworkInterfaces.Index(iface) is not { } ifindex)
        {
            return $"{iface} (not in this network namespace)";
        }
        XdpMode? mode = BpfSystem.XdpAttachedMode(ifindex);
        return $"{iface} ({mode?.ToString().ToLowerInvariant() ?? "detached"})";
    }

    private static string SlotName(GuardSlot slot) => slot switch
    {
        GuardSlot.NonIp => "non-ip",
        _ => slot.ToString().ToLowerInvariant(),
    };

    private static GuardBan ToBan(Cidr cidr, BanValue ban) =>
        new(cidr, ban.ExpiresNs == 0 ? null : BootClock.ToWallTime(ban.ExpiresNs), ban.Origin == 2);

    private static LpmKeyV4 KeyV4(Cidr cidr, uint generation)
    {
        var key = new LpmKeyV4 { Prefixlen = 32 + (uint)cidr.PrefixLength, Generation = generation };
        cidr.AddressBytes().CopyTo(new Span<byte>(key.Addr, 4));
        return key;
    }

    private static LpmKeyV6 KeyV6(Cidr cidr, uint generation)
    {
        var key = new LpmKeyV6 { Prefixlen = 32 + (uint)cidr.PrefixLength, Generation = generation };
        cidr.AddressBytes().CopyTo(new Span<byte>(key.Addr, 16));
        return key;
    }

    private static Cidr FromKey(LpmKeyV4 key) => Cidr.Of(new IPAddress(new ReadOnlySpan<byte>(key.Addr, 4)), (int)key.Prefixlen - 32);

    private static Cidr FromKey(LpmKeyV6 key) => Cidr.Of(new IPAddress(new ReadOnlySpan<byte>(key.Addr, 16)), (int)key.Prefixlen - 32);
}
