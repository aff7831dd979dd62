using Vigil.Enrichment.Containers;
using Vigil.Events;
using Vigil.Policy;
using Vigil.Sensors.Judging;
using Vigil.Tests.Support;

namespace Vigil.Tests.Judging;

/// <summary>Policies put in force through the engine and a watched directory, on the real file sensor.</summary>
public sealed class PolicyEngineTests
{
    private static string Policy(string name, string directory, string extra = "") => $"""
        apiVersion: vigil.dev/v1
        kind: Policy
        metadata:
          name: {name}
        spec:
          rules:
            - name: watch
              events: [open]
              match:
                path:
                  prefix: [{directory}/]
        {extra}
        """;

    [Fact]
    public void A_refused_policy_leaves_the_set_in_force_untouched_and_delete_removes_one()
    {
        using var run = new JudgedSensorRun();
        var engine = new PolicyEngine(new Dictionary<EventFamily, PolicyTables> { [EventFamily.File] = run.Tables }, new PolicyCompiler(new CgroupDirectory().IdOfPath));
        engine.Apply(PolicyReader.Read("good.yaml", Policy("good", run.Directory)), PolicyOrigin.Api);
        uint generation = run.Tables.Generation;

        PolicyDocument bad = PolicyReader.Read("bad.yaml", Policy("bad", run.Directory, "    - name: broken\n      events: [open]\n      match: {cgroup: [/no-such-cgroup]}"));
        PolicyException refused = Assert.Throws<PolicyException>(() => engine.Apply(bad, PolicyOrigin.Api));
        Assert.Equal(new PolicyLocation("bad.yaml", 14, 23), refused.Problems.Single().Location);

        Assert.Equal(generation, run.Tables.Generation);
        Assert.Equal(["good"], engine.Policies.Select(p => p.Name));
        Assert.Equal(0, run.Shell("touch first"));
        Assert.Equal(["good/watch"], run.Sink.WaitFor<FileEvent>(e => e.Path == run.Directory + "/first").Policy!.Rules);

        Assert.True(engine.Delete("good", PolicyOrigin.Api));
        Assert.Equal(0, run.Shell("touch second; touch marker-of-the-end"));
        engine.Apply(PolicyReader.Read("good.yaml", Policy("good", run.Directory)), PolicyOrigin.Api);
        Assert.Equal(0, run.Shell("touch third"));
        run.Sink.WaitFor<FileEvent>(e => e.Path == run.Directory + "/third");
        Assert.DoesNotContain(run.Sink.Snapshot().OfType<FileEvent>(), e => e.Path == run.Directory + "/second");
    }

    [Fact]
    public void A_watched_directory_puts_new_files_in_force_and_keeps_the_last_good_version_of_a_broken_one()
    {
        using var run = new JudgedSensorRun();
        var engine = new PolicyEngine(new Dictionary<EventFamily, PolicyTables> { [EventFamily.File] = run.Tables }, new PolicyCompiler(_ => null));
        string policies = Directory.CreateDirectory(run.Directory + "/policies").FullName;
        string watched = Directory.CreateDirectory(run.Directory + "/watched").FullName;
        var problems = new List<PolicyException>();
        using var directory = new PolicyDirectory(policies, engine, problems.Add);
        Assert.Equal(0, directory.Load());
        directory.Watch();

        File.WriteAllText(policies + "/watch.yaml", Policy("watched", watched));
        Assert.True(SpinWait.SpinUntil(() => engine.Policies.Count == 1, TimeSpan.FromSeconds(5)), "the new file was not put in force");
        File.WriteAllText(policies + "/watch.yaml", Policy("watched", watched).Replace("events: [open]", "events: [opne]", StringComparison.Ordinal));
        Assert.True(SpinWait.SpinUntil(() => problems.Count > 0, TimeSpan.FromSeconds(5)), "the broken file was not reported");

        Assert.Contains("unknown event type 'opne'", problems[0].Message, StringComparison.Ordinal);
        Assert.Equal(0, run.Shell($"touch {watched}/still"));
        Assert.Equal(["watched/watch"], run.Sink.WaitFor<FileEvent>(e => e.Path == watched + "/still").Policy!.Rules);
    }
}
