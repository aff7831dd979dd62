using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigil.Correlation.Incidents;
using Vigil.Correlation.Signals;
using Vigil.Detection.Rules;
using Vigil.Events;
using Vigil.Storage;
using Vigil.Storage.Records;
using Vigil.Tests.Support;

namespace Vigil.Tests.Storage;

/// <summary>The edge store on a real SQLite file: what goes in comes back, filtered, within its budgets.</summary>
public sealed class EdgeStoreTests : IDisposable
{
    private static readonly ContainerInfo Web = new() { Runtime = ContainerRuntime.Docker, Id = "3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e", CgroupPath = "/system.slice/docker-3f4e.scope" };

    private readonly TempStore _file = new();
    private readonly SyntheticEvents _events = new() { Now = DateTime.UtcNow.AddMinutes(-30) };

    public void Dispose() => _file.Dispose();

    [Fact]
    public void Events_come_back_filtered_by_type_process_container_and_time_as_the_json_they_were_written_as()
    {
        ProcessInfo shell = _events.Process("/bin/bash");
        ProcessInfo nginx = _events.Process("/usr/sbin/nginx", container: Web);
        DateTime start = _events.Now;
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            store.Write([
                _events.Exec(shell),
                _events.File(shell, "/etc/passwd", FileIntent.Read),
                _events.Exec(nginx),
                _events.Connect(nginx, "10.0.0.7", 443),
            ]);
        }

        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        Assert.Equal(["process.exec", "file.openat", "process.exec", "network.connect"], reader.Events(new EventQuery()).Select(e => e.Name));
        Assert.Equal(["/bin/bash", "/usr/sbin/nginx"], reader.Events(new EventQuery { Type = "exec" }).Select(e => Attribute(e, "process.executable.path")));
        Assert.Equal(["process.exec", "process.exec"], reader.Events(new EventQuery { Type = "process" }).Select(e => e.Name));
        Assert.Equal(["network.connect"], reader.Events(new EventQuery { Type = "connect" }).Select(e => e.Name));
        Assert.Equal(["file.openat"], reader.Events(new EventQuery { Type = "file.openat", ProcessName = "bash" }).Select(e => e.Name));
        Assert.Empty(reader.Events(new EventQuery { Type = "exec", ProcessName = "sshd" }));

        // The 12-character short id finds the container's events, as does the full id.
        IReadOnlyList<StoredEvent> inWeb = reader.Events(new EventQuery { Container = Web.ShortId });
        Assert.Equal(["process.exec", "network.connect"], inWeb.Select(e => e.Name));
        Assert.All(inWeb, e => Assert.Equal(Web.Id, e.ContainerId));
        Assert.Equal(2, reader.Events(new EventQuery { Container = Web.Id }).Count);
        Assert.Equal("10.0.0.7", Attribute(inWeb[1], "destination.address"));

        Assert.Equal(2, reader.Events(new EventQuery { Since = start.AddMilliseconds(25) }).Count);
        Assert.Equal(["network.connect"], reader.Events(new EventQuery { Limit = 1 }).Select(e => e.Name));

        // Serialised with System.Text.Json, a stored event is the event object itself.
        using JsonDocument json = JsonDocument.Parse(JsonSerializer.Serialize(reader.Events(new EventQuery { Type = "exec", Limit = 1 })));
        JsonElement exec = json.RootElement[0];
        Assert.Equal("process.exec", exec.GetProperty("event.name").GetString());
        Assert.Equal(nginx.ExecId.ToString(), exec.GetProperty("vigil.exec_id").GetString());
    }

    [Fact]
    public void Only_the_latest_revision_of_an_incident_is_kept_even_when_an_older_one_arrives_late()
    {
        ProcessInfo shell = _events.Process("/bin/sh");
        ProcessExecEvent exec = _events.Exec(shell);
        var detection = new RuleDetection("Terminal shell in container", RulePriority.Notice, ["shell"], "a shell", [], exec, 1);
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            store.Write([detection, Incident("inc-1", 1, "first"), Incident("inc-1", 3, "third"), Incident("inc-2", 1, "other")]);
            store.Write([Incident("inc-1", 2, "second, late")]);
        }

        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        StoredIncident incident = reader.Incident("inc-1")!;
        Assert.Equal(3, incident.Revision);
        Assert.Equal("third", incident.Title);
        Assert.Equal(2, reader.Incidents().Count);
        Assert.Null(reader.Incident("inc-"));  // a prefix naming two incidents names none
        Assert.Equal("inc-2", reader.Incident("inc-2")!.Id);

        StoredDetection stored = Assert.Single(reader.Detections(new DetectionQuery { MinPriority = RulePriority.Notice }));
        Assert.Equal("Terminal shell in container", stored.Rule);
        Assert.Empty(reader.Detections(new DetectionQuery { MinPriority = RulePriority.Warning }));
        using JsonDocument json = StoredJson.Parse(stored);
        Assert.Equal("/bin/sh", json.RootElement.GetProperty("vigil.event").GetProperty("process.executable.path").GetString());
    }

    [Fact]
    public void Network_events_are_folded_into_flows_ranked_by_bytes_and_exec_fork_exit_keep_the_process_table()
    {
        ProcessInfo curl = _events.Process("/usr/bin/curl");
        ProcessInfo wget = _events.Process("/usr/bin/wget");
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            store.Write([
                _events.Exec(curl), _events.Exec(wget),
                Close(curl, "192.0.2.1", 443, sent: 100, received: 5000),
                Close(curl, "192.0.2.1", 443, sent: 200, received: 7000),
                Close(wget, "192.0.2.9", 80, sent: 50, received: 900_000),
                Exit(curl),
            ]);
        }

        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        IReadOnlyList<StoredFlow> flows = reader.Flows(10, StoredFlowOrder.Bytes);
        Assert.Equal(["wget", "curl"], flows.Select(f => f.ProcessName));
        Assert.Equal((300L, 12_000L), (flows[1].BytesSent, flows[1].BytesReceived));
        Assert.Equal(["curl"], reader.Flows(1, StoredFlowOrder.Sent).Select(f => f.ProcessName));

        Assert.Equal(["wget"], reader.Processes().Select(p => p.Name));
        StoredProcess exited = Assert.Single(reader.Processes(includeExited: true), p => p.Name == "curl");
        Assert.Equal(3, exited.ExitCode);
    }

    [Fact]
    public void Process_and_flow_rows_folded_over_full_batches_come_out_as_one_statement_per_event_would_have_left_them()
    {
        ProcessInfo curl = _events.Process("/usr/bin/curl");
        ProcessInfo sort = _events.Process("/usr/bin/sort", parent: curl);
        ProcessInfo ghost = _events.Process("/usr/bin/ghost");
        ProcessForkEvent fork = Fork(curl, sort);
        NetworkEvent first = Close(curl, "192.0.2.1", 443, sent: 100, received: 1000);
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path, BatchSize = 2 }))
        {
            // Full batches: a busy writer may keep their rows folded for up to five seconds.
            store.Write([first, Close(curl, "192.0.2.1", 443, sent: 200, received: 2000)]);
            store.Write([fork, _events.Exec(sort)]);
            store.Write([Exit(ghost), _events.Exec(ghost)]);
            // A smaller batch: the writer has caught up, and everything folded so far is committed with it.
            store.Write([Close(curl, "192.0.2.1", 443, sent: 300, received: 3000)]);

            using (EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path))
            {
                StoredFlow flow = Assert.Single(reader.Flows());
                Assert.Equal((0L, 600L, 6000L), (flow.Connections, flow.BytesSent, flow.BytesReceived));
                Assert.Equal(first.Timestamp, flow.FirstSeen, TimeSpan.FromMicroseconds(1));

                IReadOnlyList<StoredProcess> live = reader.Processes();
                // The fork inserted the child (its start), its exec then gave it its image.
                StoredProcess child = Assert.Single(live, p => p.ExecId == sort.ExecId.ToString());
                Assert.Equal(("sort", "/usr/bin/sort", curl.ExecId.ToString()), (child.Name, child.Binary, child.ParentExecId));
                Assert.Equal(fork.Timestamp, child.Start, TimeSpan.FromMicroseconds(1));
                // The exec's ancestor is known without having exec'd; an exit before anything stored its process changed nothing.
                Assert.Contains(live, p => p.ExecId == curl.ExecId.ToString() && p.Binary == "/usr/bin/curl");
                Assert.Contains(live, p => p.ExecId == ghost.ExecId.ToString());
            }

            store.Write([Close(curl, "192.0.2.1", 443, sent: 400, received: 4000), Exit(sort)]);
        }

        // Closing the writer writes what the last full batch folded.
        using EdgeStore closed = EdgeStore.OpenReadOnly(_file.Path);
        Assert.Equal(1000L, Assert.Single(closed.Flows()).BytesSent);
        Assert.DoesNotContain(closed.Processes(), p => p.ExecId == sort.ExecId.ToString());
    }

    [Fact]
    public void A_flow_whose_row_went_and_whose_rowid_another_flow_took_is_written_as_itself()
    {
        ProcessInfo curl = _events.Process("/usr/bin/curl");
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            store.Write([Close(curl, "192.0.2.1", 443, sent: 100, received: 0)]);
            // Behind the writer's back (as retention could leave it): curl's row is gone and another flow holds its rowid.
            using (var other = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
            {
                other.Open();
                using SqliteCommand swap = other.CreateCommand();
                swap.CommandText = """
                    UPDATE flows SET exec_id = 'another', name = 'wget', remote_address = '192.0.2.9', remote_port = 80, bytes_sent = 5;
                    """;
                Assert.Equal(1, swap.ExecuteNonQuery());
            }
            store.Write([Close(curl, "192.0.2.1", 443, sent: 200, received: 0)]);
        }

        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        IReadOnlyList<StoredFlow> flows = reader.Flows(10, StoredFlowOrder.Sent);
        Assert.Equal([("curl", "192.0.2.1", 200L), ("wget", "192.0.2.9", 5L)], flows.Select(f => (f.ProcessName, f.RemoteAddress, f.BytesSent)));
    }

    [Fact]
    public void The_file_never_grows_past_its_budget_and_the_oldest_events_go_first()
    {
        var options = new StoreOptions { Path = _file.Path, MaxBytes = StoreOptions.MinimumMaxBytes };
        ProcessInfo p = _events.Process("/usr/bin/stress");
        using (EdgeStore store = EdgeStore.Open(options))
        {
            for (int batch = 0; batch < 300; batch++)
            {
                // Random names (64 random bytes each): events are stored compressed, and repeated text would take almost no room.
                store.Write([.. Enumerable.Range(0, 500).Select(_ => _events.File(p, "/var/tmp/" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)), FileIntent.Write))]);
                Assert.InRange(new FileInfo(_file.Path).Length, 0, options.MaxBytes);
                Assert.InRange(store.FileBytes, 0, options.MaxBytes);
            }
            Assert.True(store.Deleted > 0, "nothing was pruned: the test wrote too little");
        }

        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        long kept = reader.EventCount();
        Assert.InRange(kept, 1000, 150_000 - 1);
        // What is left is the newest, without holes.
        IReadOnlyList<StoredEvent> newest = reader.Events(new EventQuery { Limit = (int)kept });
        Assert.Equal(_events.Now, newest[^1].Time, TimeSpan.FromMilliseconds(1));
        Assert.Equal(kept - 1, newest[^1].Id - newest[0].Id);
    }

    [Fact]
    public void A_batch_that_cannot_commit_is_reported_with_its_records_and_the_next_batch_writes_what_it_folded()
    {
        var options = new StoreOptions { Path = _file.Path, MaxBytes = StoreOptions.MinimumMaxBytes };
        ProcessInfo stress = _events.Process("/usr/bin/stress");
        ProcessInfo survivor = _events.Process("/usr/bin/survivor");
        using EdgeStore store = EdgeStore.Open(options);
        // More than the whole budget in one batch (random names do not compress): pruning cannot make room for it.
        List<object> tooBig = [_events.Exec(survivor), .. Enumerable.Range(0, 40_000).Select(_ =>
            _events.File(stress, "/var/tmp/" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(256)), FileIntent.Write))];

        StoreCommitException failed = Assert.Throws<StoreCommitException>(() => store.Write(tooBig));
        Assert.Equal(tooBig.Count, failed.Records);
        Assert.Contains("records not written", failed.Message, StringComparison.Ordinal);

        // The store goes on: the next batch commits, and with it the process row the failed batch folded.
        store.Write([_events.File(survivor, "/etc/hosts", FileIntent.Read)]);
        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        Assert.Equal("ok", reader.IntegrityCheck());
        Assert.Equal("/etc/hosts", JsonDocument.Parse(Assert.Single(reader.Events(new EventQuery())).Json).RootElement.GetProperty("file.path").GetString());
        Assert.Contains(reader.Processes(), p => p.ExecId == survivor.ExecId.ToString() && p.Binary == "/usr/bin/survivor");
    }

    [Fact]
    public void Records_older_than_the_retention_are_deleted()
    {
        ProcessInfo p = _events.Process("/usr/bin/old");
        _events.Now = DateTime.UtcNow.AddDays(-3);
        ProcessExecEvent old = _events.Exec(p);
        _events.Now = DateTime.UtcNow;
        ProcessExecEvent recent = _events.Exec(p);
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path, Retention = TimeSpan.FromDays(1) }))
        {
            store.Write([old, recent]);
        }

        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        Assert.Equal(recent.Timestamp, Assert.Single(reader.Events(new EventQuery())).Time, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void A_reader_in_another_connection_sees_each_committed_batch_while_the_writer_is_open()
    {
        ProcessInfo p = _events.Process("/bin/true");
        using EdgeStore writer = EdgeStore.Open(new StoreOptions { Path = _file.Path });
        writer.Write([_events.Exec(p)]);
        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        Assert.Single(reader.Events(new EventQuery()));
        writer.Write([_events.Exec(p), _events.Exec(p)]);
        Assert.Equal(3, reader.Events(new EventQuery()).Count);
        Assert.Equal("ok", reader.IntegrityCheck());
    }

    [Fact]
    public void A_second_writer_on_the_same_file_is_refused_until_the_first_closes()
    {
        using (EdgeStore first = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            StoreException refused = Assert.Throws<StoreException>(() => EdgeStore.Open(new StoreOptions { Path = _file.Path }));
            Assert.Contains($"store {_file.Path} is in use by another writer", refused.Message, StringComparison.Ordinal);
        }
        using EdgeStore second = EdgeStore.Open(new StoreOptions { Path = _file.Path });
        Assert.Equal(2, second.Runs().Count);
    }

    [Fact]
    public void A_store_of_an_older_schema_is_moved_aside_whole_and_a_new_one_starts()
    {
        using (var old = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            old.Open();
            Sql(old, "CREATE TABLE events (id INTEGER PRIMARY KEY, json TEXT); INSERT INTO events (json) VALUES ('{}'); PRAGMA user_version = 1");
        }
        ProcessExecEvent exec = _events.Exec(_events.Process("/bin/ls"));
        string aside;
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            aside = store.SetAside!;
            store.Write([exec]);
        }

        Assert.StartsWith(_file.Path + ".schema1-", aside, StringComparison.Ordinal);
        using (var old = new SqliteConnection($"Data Source={aside};Mode=ReadOnly;Pooling=False"))
        {
            old.Open();
            Assert.Equal(1L, Sql(old, "SELECT count(*) FROM events"));
            Assert.Equal(1L, Sql(old, "PRAGMA user_version"));
        }
        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        Assert.Single(reader.Events(new EventQuery()));
        using EdgeStore again = EdgeStore.Open(new StoreOptions { Path = _file.Path });
        Assert.Null(again.SetAside);

        static object? Sql(SqliteConnection connection, string sql)
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar();
        }
    }

    [Fact]
    public void Bad_files_and_corrupt_records_are_named()
    {
        string missing = Path.Combine(_file.Directory, "missing.db");
        StoreException none = Assert.Throws<StoreException>(() => EdgeStore.OpenReadOnly(missing));
        Assert.Contains($"no store at {missing}", none.Message, StringComparison.Ordinal);

        string text = Path.Combine(_file.Directory, "notes.txt");
        File.WriteAllText(text, new string('x', 8192));
        StoreException notDb = Assert.Throws<StoreException>(() => EdgeStore.OpenReadOnly(text));
        Assert.Contains($"store {text}", notDb.Message, StringComparison.Ordinal);

        ProcessExecEvent exec = _events.Exec(_events.Process("/bin/ls"));
        using (EdgeStore store = EdgeStore.Open(new StoreOptions { Path = _file.Path }))
        {
            store.Write([exec, new RuleDetection("ls ran", RulePriority.Notice, [], "ls", [], exec, 1)]);
        }
        using (var raw = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            raw.Open();
            using SqliteCommand corrupt = raw.CreateCommand();
            corrupt.CommandText = "UPDATE detections SET json = '{\"time\": trunc' WHERE id = 1; UPDATE event_blocks SET data = x'00ff17' WHERE id = 1";
            corrupt.ExecuteNonQuery();
        }
        using EdgeStore reader = EdgeStore.OpenReadOnly(_file.Path);
        StoredDetection bad = Assert.Single(reader.Detections(new DetectionQuery()));
        StoreException corruptError = Assert.Throws<StoreException>(() => StoredJson.Parse(bad).Dispose());
        Assert.Contains("detections row 1 holds invalid JSON", corruptError.Message, StringComparison.Ordinal);
        Assert.Throws<StoreException>(() => JsonSerializer.Serialize(bad));
        StoreException corruptBlock = Assert.Throws<StoreException>(() => reader.Events(new EventQuery()));
        Assert.Contains("event_blocks row 1 cannot be unpacked", corruptBlock.Message, StringComparison.Ordinal);
    }

    private static string? Attribute(StoredEvent e, string name)
    {
        using JsonDocument json = StoredJson.Parse(e);
        return json.RootElement.TryGetProperty(name, out JsonElement value) ? value.GetString() : null;
    }

    private NetworkEvent Close(ProcessInfo p, string address, ushort port, ulong sent, ulong received)
    {
        NetworkEvent connect = _events.Connect(p, address, port);
        return new NetworkEvent
        {
            Timestamp = connect.Timestamp,
            Process = connect.Process,
            Context = p,
            Syscall = "close",
            Protocol = TransportProtocol.Tcp,
            Direction = NetworkDirection.Outbound,
            SourceAddress = IPAddress.Loopback,
            SourcePort = 40000,
            DestinationAddress = IPAddress.Parse(address),
            DestinationPort = port,
            BytesSent = sent,
            BytesReceived = received,
        };
    }

    private ProcessForkEvent Fork(ProcessInfo parent, ProcessInfo child) => new()
    {
        Timestamp = _events.Now.AddMilliseconds(5),
        Process = _events.Identity(parent),
        Context = parent,
        ChildPid = child.Pid,
        ChildExecId = child.ExecId,
    };

    private ProcessExitEvent Exit(ProcessInfo p) => new()
    {
        Timestamp = _events.Now.AddSeconds(1),
        Process = _events.Identity(p),
        Context = p,
        ExitCode = 3,
        Signal = 0,
        CoreDumped = false,
    };

    private IncidentReport Incident(string id, int revision, string title)
    {
        Signal root = new() { Id = 1, Time = _events.Now, Kind = SignalKind.Detection, Name = "rule", Prior = 0.5, Entities = new Entities() };
        return new IncidentReport
        {
            Id = id,
            Revision = revision,
            Status = IncidentStatus.Open,
            Title = title,
            FirstSeen = _events.Now,
            LastSeen = _events.Now.AddSeconds(revision),
            Confidence = 0.5,
            RootCause = root,
            Chain = [],
            Timeline = [root],
            Missing = [],
        };
    }
}
