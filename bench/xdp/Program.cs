using System.Globalization;
using System.Net;
using Microsoft.Win32.SafeHandles;
using Vigil.Bpf;
using Vigil.Guard;
using Vigil.Guard.Rules;
using Vigil.Sensors;
using Vigil.Tests.Support;

// Per-packet cost of the guard, measured by the kernel (BPF_PROG_TEST_RUN, mean ns per run) for
// pass, allow-hit, deny-hit and rate-limited packets with 10k and 100k prefixes in the lists.
// Prints one line per list size: "cost prefixes=N pass=.. allow=.. deny=.. ratelimit=..".
int repeat = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var paths = new GuardPaths($"/sys/fs/bpf/vigil-bench-{Environment.ProcessId}");
string objectPath = new SensorOptions().ObjectPath(XdpGuard.ObjectName);
var allowed = IPAddress.Parse("198.18.0.1");
var denied = IPAddress.Parse("198.19.0.1");
var stranger = IPAddress.Parse("203.0.113.9");

try
{
    foreach (int prefixes in new[] { 10_000, 100_000 })
    {
        XdpGuard.Remove(paths);
        using XdpGuard guard = XdpGuard.Install(paths, objectPath);
        guard.Apply(RuleSetWith(prefixes));
        using SafeFileHandle program = guard.OpenProgram();
        double Cost(byte[] frame, uint expected)
        {
            var runs = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                TestRunResult r = BpfSystem.TestRun(program, frame, repeat);
                if (r.ReturnValue != expected)
                {
                    throw new InvalidOperationException($"verdict {r.ReturnValue}, expected {expected}");
                }
                runs.Add(r.NanosecondsPerRun);
            }
            return runs.Order().ElementAt(1);
        }
        const uint Pass = 2, Drop = 1;
        double pass = Cost(Frames.Build(stranger, Frames.Udp, destinationPort: 80), Pass);
        double allow = Cost(Frames.Build(allowed, Frames.Udp, destinationPort: 80), Pass);
        double deny = Cost(Frames.Build(denied, Frames.Udp, destinationPort: 80), Drop);
        double limited = Cost(Frames.Build(stranger, Frames.Udp, destinationPort: 9999), Drop);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cost prefixes={prefixes} pass={pass:0} allow={allow:0} deny={deny:0} ratelimit={limited:0}"));
    }
}
finally
{
    XdpGuard.Remove(paths);
}

// Random prefixes of /16 to /32 (one allow in ten), two rules ahead of the limiter, default sampling (1 in 64).
static RuleSet RuleSetWith(int prefixes)
{
    var random = new Random(42);
    var allow = new List<Cidr> { Cidr.Parse("198.18.0.0/24") };
    var deny = new List<Cidr> { Cidr.Parse("198.19.0.0/24") };
    var seen = new HashSet<string>();
    while (allow.Count + deny.Count < prefixes)
    {
        var address = new IPAddress([(byte)random.Next(1, 197), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)]);
        Cidr cidr = Cidr.Of(address, random.Next(16, 33));
        if (seen.Add(cidr.ToString()))
        {
            (allow.Count * 10 < deny.Count ? allow : deny).Add(cidr);
        }
    }
    return new RuleSet
    {
        Allow = allow,
        Deny = deny,
        Rules =
        [
            new GuardRule { Name = "no-ping", Action = GuardAction.Drop, Protocol = RuleProtocols.Icmp, IcmpType = 8 },
            new GuardRule { Name = "syn-22", Action = GuardAction.Drop, Protocol = RuleProtocols.Tcp, PortLow = 22, PortHigh = 22, TcpFlagsMask = 0x12, TcpFlagsValue = 0x02 },
            new GuardRule { Name = "udp-9999", Action = GuardAction.Limit, Protocol = RuleProtocols.Udp, PortLow = 9999, PortHigh = 9999, RatePps = 1000, Burst = 100, LimitPrefixV4 = 24 },
        ],
    };
}
