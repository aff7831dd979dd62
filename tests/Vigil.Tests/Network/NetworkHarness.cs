using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Events;
using Vigil.Sensors;
using Vigil.Sensors.Network;
using Vigil.Tests.Support;

namespace Vigil.Tests.Network;

/// <summary>
/// A network sensor on a test network: flows counted for the test's own cgroup, a server socket
/// owned by this test process in the server namespace, clients run as bash children in the client
/// namespace (in the test cgroup when asked). Everything is removed on dispose, pass or fail.
/// With <c>countFlows</c> false no flows are counted (the sensor as the filter benchmark runs it).
/// </summary>
internal sealed class NetworkHarness : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public NetworkHarness(bool countFlows = true)
    {
        Net = new TestNetwork();
        try
        {
            Cgroup = new TestCgroup("network");
            Sensor = new NetworkSensor(Sink, new NetworkSensorOptions { FlowCgroup = countFlows ? Cgroup.FullPath : null, FlowInterval = TimeSpan.FromHours(1) },
                NullLogger<NetworkSensor>.Instance);
            Run = new SensorRun([Sensor]);
            Assert.True(Sensor.Status.State == SensorState.Running, $"network sensor: {Sensor.Status.Reason}\n{Sensor.Status.VerifierLog}");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNetwork Net { get; }

    public TestCgroup? Cgroup { get; }

    public CollectingSink Sink { get; } = new();

    public NetworkSensor Sensor { get; } = null!;

    private SensorRun? Run { get; }

    /// <summary>A listening TCP socket of this process in the server namespace; returns its port.</summary>
    public Socket Listen(IPAddress address)
    {
        Socket listener = TestNetwork.InNamespace(Net.Server, () =>
        {
            var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(address, 0));
            s.Listen(8);
            return s;
        });
        _sockets.Add(listener);
        return listener;
    }

    /// <summary>A UDP socket of this process in the server namespace.</summary>
    public Socket UdpServer(IPAddress address)
    {
        Socket socket = TestNetwork.InNamespace(Net.Server, () =>
        {
            var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(address, 0));
            s.ReceiveTimeout = 5000;
            return s;
        });
        _sockets.Add(socket);
        return socket;
    }

    /// <summary>Runs a bash script in the client namespace, in the test cgroup when <paramref name="inCgroup"/>.</summary>
    public Process Client(string script, bool inCgroup = false)
    {
        string nsenter = $"exec nsenter --net=/run/netns/{Net.Client} bash -c '{script}'";
        return Children.Start("/bin/sh", "-c", (inCgroup ? Cgroup!.Enter : "") + nsenter);
    }

    public static int Port(Socket s) => ((IPEndPoint)s.LocalEndPoint!).Port;

    public static string Target(IPAddress address, int port) => $"/dev/tcp/{address}/{port}";

    public NetworkEvent WaitFor(string syscall, Func<NetworkEvent, bool> match) =>
        Sink.WaitFor<NetworkEvent>(e => e.Syscall == syscall && match(e), TimeSpan.FromSeconds(10));

    public void Dispose()
    {
        foreach (Socket s in _sockets)
        {
            s.Dispose();
        }
        Run?.Dispose();
        Cgroup?.Dispose();
        Net.Dispose();
    }
}
