using Vigil.Correlation.Baselines;
using Vigil.Correlation.Signals;
using Vigil.Events;
using Vigil.Tests.Support;

namespace Vigil.Tests.Correlation;

public sealed class BaselineTrackerTests
{
    private readonly SyntheticEvents _events = new();
    private long _ids;

    private BaselineTracker Tracker() => new(new BaselineOptions { Learning = TimeSpan.FromMinutes(10), MinObservations = 5 }, () => ++_ids);

    [Fact]
    public void After_learning_a_new_child_of_a_binary_is_an_anomaly_and_known_children_are_not()
    {
        BaselineTracker tracker = Tracker();
        ProcessInfo server = _events.Process("/usr/sbin/nginx");
        for (int i = 0; i < 10; i++)
        {
            Assert.Empty(tracker.Observe(_events.Exec(_events.Process("/usr/bin/logrotate", server), TimeSpan.FromMinutes(1))));
        }
        _events.Now += TimeSpan.FromMinutes(5);
        Assert.Empty(tracker.Observe(_events.Exec(_events.Process("/usr/bin/logrotate", server))));

        Signal anomaly = Assert.Single(tracker.Observe(_events.Exec(_events.Process("/bin/sh", server))));
        Assert.Equal(SignalKind.Anomaly, anomaly.Kind);
        Assert.Equal("new child process", anomaly.Name);
        Assert.Contains("/usr/sbin/nginx: new child process /bin/sh", anomaly.Description, StringComparison.Ordinal);
        Assert.InRange(anomaly.Prior, 0.01, 0.5);
    }

    [Fact]
    public void Nothing_is_anomalous_while_learning()
    {
        BaselineTracker tracker = Tracker();
        ProcessInfo app = _events.Process("/usr/bin/app");
        Assert.Empty(tracker.Observe(_events.Connect(app, "192.0.2.1", 443)));
        Assert.Empty(tracker.Observe(_events.Connect(app, "192.0.2.2", 443)));
    }

    [Fact]
    public void A_new_outbound_destination_and_a_new_written_directory_are_anomalies_after_learning()
    {
        BaselineTracker tracker = Tracker();
        ProcessInfo app = _events.Process("/usr/bin/app");
        for (int i = 0; i < 12; i++)
        {
            tracker.Observe(_events.Connect(app, "192.0.2.1", 443, TimeSpan.FromMinutes(1)));
            tracker.Observe(_events.File(app, $"/var/lib/app/f{i}", FileIntent.Write));
        }
        Assert.Empty(tracker.Observe(_events.Connect(app, "192.0.2.1", 443)));
        Assert.Equal("new outbound destination", Assert.Single(tracker.Observe(_events.Connect(app, "198.51.100.3", 3333))).Name);
        Assert.Equal("new directory written", Assert.Single(tracker.Observe(_events.File(app, "/etc/cron.d/x", FileIntent.Write))).Name);
    }

    [Fact]
    public void A_minute_far_above_the_learned_rate_is_a_rate_spike()
    {
        BaselineTracker tracker = Tracker();
        ProcessInfo app = _events.Process("/usr/bin/app");
        for (int minute = 0; minute < 15; minute++)
        {
            for (int i = 0; i < 10; i++)
            {
                Assert.Empty(tracker.Observe(_events.File(app, "/var/lib/app/data", FileIntent.Read, after: TimeSpan.FromSeconds(5))));
            }
            _events.Now += TimeSpan.FromSeconds(10);
        }
        for (int i = 0; i < 500; i++)
        {
            tracker.Observe(_events.File(app, "/var/lib/app/data", FileIntent.Read, after: TimeSpan.FromMilliseconds(50)));
        }
        _events.Now += TimeSpan.FromMinutes(1);
        Signal spike = Assert.Single(tracker.Observe(_events.File(app, "/var/lib/app/data", FileIntent.Read)));
        Assert.Equal("rate spike", spike.Name);
    }

    [Fact]
    public void Profiles_are_capped_and_evictions_counted()
    {
        var tracker = new BaselineTracker(new BaselineOptions { MaxProfiles = 3 }, () => ++_ids);
        for (int i = 0; i < 5; i++)
        {
            tracker.Observe(_events.Exec(_events.Process($"/bin/p{i}")));
        }
        Assert.Equal(3, tracker.Profiles);
        Assert.Equal(2, tracker.ProfilesEvicted);
    }
}
