using System.Runtime.InteropServices;

namespace Vigil.Sensors.Judging;

/// <summary>Mirror of <c>struct vigil_policy_config</c> (bpf/include/vigil/policy.h).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct PolicyConfigRecord
{
    public fixed ulong OpRules[JudgeLimits.Ops];
    public fixed ulong Has[JudgeLimits.Selectors];
    public ulong UidNegated;
    public ulong CommNegated;
    public fixed ulong IntentRules[4];
    public ulong Critical;
    public fixed byte SuffixLengths[JudgeLimits.SuffixLengths];
}

/// <summary>Mirror of <c>struct vigil_policy_rule</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct PolicyRuleRecord
{
    public ulong RateIntervalNs;
    public uint SampleEvery;
    public uint RateLimit;
    public byte Action;
    public byte Enforce;
    public fixed byte Pad[6];
}

/// <summary>Mirror of <c>struct vigil_path_key</c>: an LPM key over the slot and path bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct PathKeyRecord
{
    public uint Prefixlen;
    public uint Slot;
    public fixed byte Path[JudgeLimits.PathBytes];
}

/// <summary>Mirror of <c>struct vigil_path_masks</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PathMasksRecord
{
    public ulong Path;
    public ulong Binary;
    public ulong Parent;
}

/// <summary>Mirror of <c>struct vigil_suffix_key</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SuffixKeyRecord
{
    public uint Slot;
    public uint Len;
    public fixed byte Bytes[JudgeLimits.SuffixBytes];
}

/// <summary>Mirror of <c>struct vigil_comm_key</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct CommKeyRecord
{
    public uint Slot;
    public uint Pad;
    public fixed byte Comm[16];
}

/// <summary>Mirror of <c>struct vigil_id_key</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IdKeyRecord
{
    public uint Slot;
    public uint Kind;
    public ulong Id;
}

/// <summary>Mirror of <c>struct vigil_rate_key</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RateKeyRecord
{
    public uint Rule;
    public uint Tgid;
}

/// <summary>Mirror of <c>struct vigil_rule_counters</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RuleCountersRecord
{
    public ulong Matched;
    public ulong Shipped;
    public ulong Suppressed;
    public ulong Killed;
}

/// <summary>Mirror of <c>struct vigil_verdict</c>, carried by every judged record.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct VerdictRecord
{
    public ulong Rules;
    public uint Generation;
    public uint Suppressed;
    public byte Ship;
    public byte Killed;
    public fixed byte Pad[6];
}

/// <summary>The limits of bpf/include/vigil/policy.h.</summary>
public static class JudgeLimits
{
    public const int Rules = 64;
    public const int Slots = 2;
    public const int Ops = 32;
    public const int Selectors = 11;
    public const int PathBytes = 248;
    public const int SuffixBytes = 64;
    public const int SuffixLengths = 8;
    public const int CommBytes = 15;

    /// <summary>Counter index of events no rule matched (and, in Suppressed, of overload thinning).</summary>
    public const uint UnmatchedCounter = Slots * Rules;
}

/// <summary>Mirror of <c>enum vigil_policy_selector</c>.</summary>
public enum JudgeSelector
{
    Path = 0,
    Binary = 1,
    Parent = 2,
    Uid = 3,
    Comm = 4,
    Cgroup = 5,
    PidNamespace = 6,
    Intent = 7,
    Host = 8,
    Container = 9,
    ToRoot = 10,
}

/// <summary>Mirror of <c>enum vigil_policy_id_kind</c>.</summary>
public enum JudgeIdKind : uint
{
    Uid = 1,
    Cgroup = 2,
    PidNamespace = 3,
}
