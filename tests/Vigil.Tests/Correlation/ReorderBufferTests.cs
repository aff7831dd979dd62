using Vigil.Agent.Pipeline;

namespace Vigil.Tests.Correlation;

public sealed class ReorderBufferTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private static List<string> Take(ReorderBuffer<string> buffer, DateTime now, bool all = false)
    {
        var taken = new List<string>();
        while (buffer.TryTake(now, out string item, all))
        {
            taken.Add(item);
        }
        return taken;
    }

    [Fact]
    public void An_exec_that_arrives_after_its_process_wrote_a_file_is_handed_on_first()
    {
        var buffer = new ReorderBuffer<string>(Window);
        buffer.Add("write", T0.AddMilliseconds(3), now: T0.AddMilliseconds(5));
        buffer.Add("exec", T0.AddMilliseconds(1), now: T0.AddMilliseconds(40));

        Assert.Empty(Take(buffer, T0.AddMilliseconds(60)));
        Assert.Equal(TimeSpan.FromMilliseconds(80), buffer.UntilDue(T0.AddMilliseconds(60)));
        Assert.Equal(["exec", "write"], Take(buffer, T0.AddMilliseconds(140)));
        Assert.Null(buffer.UntilDue(T0.AddMilliseconds(140)));
    }

    [Fact]
    public void A_lagging_pipeline_still_puts_the_rings_back_in_order()
    {
        // Under load both events arrive a second after they happened, the read of the file before the connect that followed it.
        var buffer = new ReorderBuffer<string>(Window);
        buffer.Add("connect", T0.AddMilliseconds(16), now: T0.AddSeconds(1));
        Assert.Empty(Take(buffer, T0.AddSeconds(1)));
        buffer.Add("read", T0, now: T0.AddSeconds(1).AddMilliseconds(60));

        Assert.Empty(Take(buffer, T0.AddSeconds(1).AddMilliseconds(60)));
        Assert.Equal(["read", "connect"], Take(buffer, T0.AddSeconds(1).AddMilliseconds(160)));
    }

    [Fact]
    public void An_event_time_ahead_of_the_clock_waits_only_a_window_after_its_arrival()
    {
        var buffer = new ReorderBuffer<string>(Window);
        buffer.Add("skewed", T0.AddSeconds(30), now: T0);
        Assert.Empty(Take(buffer, T0.AddMilliseconds(50)));
        Assert.Equal(["skewed"], Take(buffer, T0.AddMilliseconds(100)));
    }

    [Fact]
    public void Draining_hands_on_everything_in_order()
    {
        var buffer = new ReorderBuffer<string>(Window);
        buffer.Add("b", T0.AddMilliseconds(2), T0);
        buffer.Add("a", T0.AddMilliseconds(1), T0);
        buffer.Add("c", T0.AddMilliseconds(2), T0);
        Assert.Equal(["a", "b", "c"], Take(buffer, T0, all: true));
        Assert.Equal(0, buffer.Count);
    }
}
