using System.Net.Sockets;
using Vigil.Enrichment.Containers;
using Vigil.Policy;
using Vigil.Sensors.Judging;
using Vigil.Tests.Network;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>A deny-connect policy, compiled into the network sensor's filter and hooked on the test cgroup only.</summary>
public sealed class PolicyDenyConnectTests
{
    [Fact]
    public void A_deny_connect_policy_refuses_connects_from_its_cgroup_to_its_destination_only()
    {
        KernelRequirement.Check();
        using var h = new NetworkHarness();
        using Socket denied = h.Listen(h.Net.ServerV4);
        using Socket allowed = h.Listen(h.Net.ServerV4);
        var cgroups = new CgroupDirectory();
        using var engine = new PolicyEngine(new Dictionary<EventFamily, PolicyTables>(), new PolicyCompiler(cgroups.IdOfPath), h.Sensor,
            path => Path.Combine(cgroups.MountPoint, path.TrimStart('/')));
        engine.Apply(PolicyReader.Read("deny.yaml", $"""
            apiVersion: vigil.dev/v1
            kind: Policy
            metadata:
              name: deny
            spec:
              mode: enforce
              rules:
                - name: no-port
                  events: [connect]
                  match:
                    destination: [{h.Net.ServerV4}/32]
                    ports: [{NetworkHarness.Port(denied)}]
                    cgroup: [{h.Cgroup!.PathInHierarchy}]
                  action: deny-connect
            """), PolicyOrigin.Api);

        (int code, string stderr) = DenyConnectTests.Connect(h, h.Net.ServerV4, denied, inCgroup: true, expectAccept: false);
        Assert.NotEqual(0, code);
        Assert.Contains("Operation not permitted", stderr, StringComparison.Ordinal);
        Assert.Equal(0, DenyConnectTests.Connect(h, h.Net.ServerV4, allowed, inCgroup: true, expectAccept: true).ExitCode);
        Assert.Equal(0, DenyConnectTests.Connect(h, h.Net.ServerV4, denied, inCgroup: false, expectAccept: true).ExitCode);

        // Deleting the policy detaches the hooks: the same connect goes through.
        Assert.True(engine.Delete("deny", PolicyOrigin.Api));
        Assert.Equal(0, DenyConnectTests.Connect(h, h.Net.ServerV4, denied, inCgroup: true, expectAccept: true).ExitCode);
    }
}
