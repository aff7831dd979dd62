using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Fleet;
using Vigil.Tests.Support;

namespace Vigil.Tests.Fleet;

/// <summary>Mutual TLS to nats-server with certificates made by the test (openssl): a node with a client certificate publishes, one without is kept out.</summary>
public sealed class FleetTlsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-tls-" + Guid.NewGuid().ToString("N")[..8]);

    public FleetTlsTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task A_node_with_a_client_certificate_publishes_over_mutual_tls_and_one_without_is_refused()
    {
        MakeCertificates();
        using var server = new NatsServer(extraConfig: $$"""
            tls { cert_file: "{{File("server.pem")}}", key_file: "{{File("server.key")}}", ca_file: "{{File("ca.pem")}}", verify: true, timeout: 5 }
            """);
        var options = new FleetOptions
        {
            Url = server.Url, Cluster = "tls", Node = "node-a", SpoolDirectory = File("spool-a"), PublishTimeout = TimeSpan.FromSeconds(2),
            TlsCaFile = File("ca.pem"), TlsCertFile = File("client.pem"), TlsKeyFile = File("client.key"),
        };
        options.Validate();
        await using (var connection = new FleetConnection(options, NullLogger.Instance))
        {
            await connection.ConnectAsync();
            await using var publisher = new FleetPublisher(connection, NullLogger.Instance);
            await publisher.PublishAsync(Message(options));
            Assert.Equal(1, publisher.Published);
        }

        FleetOptions noCertificate = options with { Node = "node-x", SpoolDirectory = File("spool-x"), TlsCertFile = null, TlsKeyFile = null };
        await using (var connection = new FleetConnection(noCertificate, NullLogger.Instance))
        {
            await connection.ConnectAsync();
            await using var publisher = new FleetPublisher(connection, NullLogger.Instance);
            await publisher.PublishAsync(Message(noCertificate));
            Assert.False(connection.IsOpen);
            Assert.Equal(0, publisher.Published);
            Assert.Equal(1, publisher.SpoolDepth);
        }
    }

    private static FleetMessage Message(FleetOptions options) =>
        new(new FleetSubjects(options.Cluster).Subject(options.Node, FleetTopic.Detection), options.Node + ".1", Encoding.UTF8.GetBytes("{}"));

    private string File(string name) => Path.Combine(_dir, name);

    /// <summary>A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.</summary>
    private void MakeCertificates()
    {
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", File("ca.key"), "-out", File("ca.pem"), "-days", "1", "-subj", "/CN=vigil-test-ca");
        foreach ((string name, string extensions) in new[] { ("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"), ("client", "extendedKeyUsage=clientAuth") })
        {
            System.IO.File.WriteAllText(File(name + ".ext"), extensions + "\n");
            OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", File(name + ".key"), "-out", File(name + ".csr"), "-subj", $"/CN=vigil-test-{name}");
            OpenSsl("x509", "-req", "-in", File(name + ".csr"), "-CA", File("ca.pem"), "-CAkey", File("ca.key"), "-CAcreateserial",
                "-out", File(name + ".pem"), "-days", "1", "-extfile", File(name + ".ext"));
        }
    }

    private static void OpenSsl(params string[] args)
    {
        using System.Diagnostics.Process p = Children.Start("openssl", args);
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"openssl {string.Join(' ', args)}: {err}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
