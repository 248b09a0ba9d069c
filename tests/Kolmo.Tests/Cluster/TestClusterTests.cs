using Kolmo.Cluster.Grains;
using Kolmo.Cluster.Hosting;
using Kolmo.Cluster.Work;
using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Tests.Support;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Kolmo.Tests.Cluster;

/// <summary>Three in-process silos (Orleans' TestingHost), shared by the tests of <see cref="TestClusterTests"/>.</summary>
public sealed class ThreeSiloCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<Silo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddKolmoWorker(lanes: 2);
    }
}

[CollectionDefinition("ThreeSiloCluster")]
public sealed class ThreeSiloClusterCollection : ICollectionFixture<ThreeSiloCluster>;

/// <summary>
/// Jobs on a multi-silo cluster in one process: the same bits as the single-process path, a silo killed in the middle
/// of a job, a client that reattaches to a running job, a detached job cancelled after its timeout, and a client that
/// cancels its job.
/// </summary>
[Collection("ThreeSiloCluster")]
public sealed class TestClusterTests(ThreeSiloCluster fixture)
{
    private readonly TestCluster _cluster = fixture.Cluster;

    private static (JobSpec Spec, byte[][] Docs, DistanceMatrix Expected) NcdJob(int count, string compressor, int length = 600)
    {
        var docs = ScaleOutData.Documents(count, length);
        var expected = NcdMatrix.Compute(CodeLengthPanel.Create([compressor]).Single(), docs);
        return (JobSpec.ForNcd(docs, compressor), [.. docs.Select(d => d.Data)], expected);
    }

    [Fact]
    public async Task Ncd_OnThreeSilos_IsTheSingleProcessMatrix()
    {
        var (spec, docs, expected) = NcdJob(20, "deflate");
        var outcome = await new JobClient(_cluster.Client).RunAsync(spec, docs);
        Assert.Equal(expected.ToTsv(), JobResults.Matrix(spec, outcome.Payloads).ToTsv());
        // every silo that joined in time ran tasks with both its lanes (on a loaded machine a silo may join after a job
        // this small is done, so the count of workers is not fixed)
        string summary = $"{outcome.Summary}; events: {string.Join(" | ", outcome.Summary.Events)}";
        Assert.InRange(outcome.Summary.Workers, 1, 3);
        Assert.True(outcome.Summary.Lanes == 2 * outcome.Summary.Workers, summary);
        Assert.True(outcome.Summary.WorkersLost == 0, summary);
        Assert.Equal(outcome.Payloads.Length, outcome.Summary.TasksReceived);
        Assert.Equal(0, outcome.Summary.RepeatedArrivals);
    }

    [Fact]
    public async Task ClassifyAndCompress_OnThreeSilos_AreTheSingleProcessResults()
    {
        var (train, test) = ScaleOutData.Labelled(9, 24);
        var clf = new ConditionalClassifier(CodeLengthPanel.SizedFactory("order3"), train);
        var spec = JobSpec.ForClassify(train, test, "conditional", "order3", 1);
        var outcome = await new JobClient(_cluster.Client).RunAsync(spec, [.. train.Concat(test).Select(d => d.Data)]);
        Assert.Equal(clf.Predict([.. test.Select(d => d.Data)]), JobResults.Predictions(spec, outcome.Payloads));

        var files = new List<(string Name, byte[] Data)> { ("a", TestFiles.Text(3000, 5)), ("b", TestFiles.Random(500, 6)), ("c", []) };
        var compress = JobSpec.ForCompress(files, "order3", 3, null, Kolmo.Compression.KolmoContainer.DefaultBlockSize);
        var written = new Dictionary<int, byte[]>();
        var packed = await new JobClient(_cluster.Client).RunAsync(compress, [.. files.Select(f => f.Data)], onResult: r => written.Add(r.Task, r.Payload));
        Assert.Equal(3, written.Count);
        for (int i = 0; i < files.Count; i++)
        {
            using var expected = new MemoryStream();
            new Kolmo.Compression.ModelCompressor("order3", 3).Compress(new MemoryStream(files[i].Data), expected);
            Assert.Equal(expected.ToArray(), packed.Payloads[i]);
            Assert.Equal(expected.ToArray(), written[i]);
        }
    }

    [Fact]
    public async Task SiloKilledMidJob_JobCompletesWithTheSameMatrix()
    {
        var extra = await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForLivenessToStabilizeAsync();
        // tasks of tens of milliseconds, so that the killed silo is in the middle of some
        var (spec, docs, expected) = NcdJob(36, "deflate", 16_000);
        var killed = 0;
        var events = new List<string>();
        var outcome = await new JobClient(_cluster.Client).RunAsync(spec, docs,
            onProgress: p =>
            {
                if (p.TasksDone * 5 >= p.TaskCount && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    _ = _cluster.KillSiloAsync(extra);
                }
            },
            onEvent: events.Add);
        Assert.Equal(1, killed);
        Assert.Equal(expected.ToTsv(), JobResults.Matrix(spec, outcome.Payloads).ToTsv());
        // the killed silo was a worker (its tasks ran again) or held the coordinator (the client submitted the rest again)
        Assert.True(outcome.Summary.WorkersLost + outcome.Summary.Resubmissions >= 1, string.Join("\n", events));
        Assert.Equal(outcome.Payloads.Length, outcome.Summary.TasksReceived);
    }

    [Fact]
    public async Task SecondClient_AttachesToTheRunningJob()
    {
        var (spec, docs, expected) = NcdJob(14, "deflate");
        var job = _cluster.Client.GetGrain<IJobGrain>(spec.Id);
        var attachment = await job.Attach(spec);
        Assert.Equal(JobState.Uploading, attachment.State);
        await job.Upload([.. attachment.MissingDocuments], [.. attachment.MissingDocuments.Select(i => docs[i])]);
        await job.Start(new JobOptions());
        // the submitting client goes away without polling; another one finds the job by its spec
        var outcome = await new JobClient(_cluster.Client).RunAsync(spec, docs);
        Assert.True(outcome.Summary.Attached);
        Assert.Equal(expected.ToTsv(), JobResults.Matrix(spec, outcome.Payloads).ToTsv());
    }

    [Fact]
    public async Task DetachedJob_IsCancelledAfterItsTimeout_AndCanBeRunAgain()
    {
        var (spec, docs, expected) = NcdJob(12, "deflate");
        var job = _cluster.Client.GetGrain<IJobGrain>(spec.Id);
        var attachment = await job.Attach(spec);
        await job.Upload([.. attachment.MissingDocuments], [.. attachment.MissingDocuments.Select(i => docs[i])]);
        // a timeout of 0: no client has polled since the start, so the coordinator cancels the job at its first look
        await job.Start(new JobOptions { DetachTimeoutSeconds = 0 });
        JobPoll poll;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(200);
            poll = await job.Poll(attachment.Incarnation, int.MaxValue, int.MaxValue, 0, 0);
        }
        while (poll.State == JobState.Running && DateTime.UtcNow < deadline);
        Assert.Equal(JobState.Cancelled, poll.State);
        Assert.Contains("no client", poll.Error, StringComparison.Ordinal);

        var outcome = await new JobClient(_cluster.Client).RunAsync(spec, docs);
        Assert.False(outcome.Summary.Attached);
        Assert.Equal(expected.ToTsv(), JobResults.Matrix(spec, outcome.Payloads).ToTsv());
    }

    [Fact]
    public async Task ClientCancellation_CancelsTheJobOnTheCluster()
    {
        var docs = ScaleOutData.Documents(40, 20_000);
        var spec = JobSpec.ForNcd(docs, "deflate");
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new JobClient(_cluster.Client).RunAsync(spec, [.. docs.Select(d => d.Data)],
            onProgress: p =>
            {
                if (p.TasksDone > 0)
                {
                    cancel.Cancel();
                }
            },
            cancel: cancel.Token));
        var poll = await _cluster.Client.GetGrain<IJobGrain>(spec.Id).Poll(0, int.MaxValue, int.MaxValue, 0, 0);
        Assert.Equal(JobState.Cancelled, poll.State);
        Assert.True(poll.Stats.TasksDone < poll.Stats.TaskCount);
    }

    [Fact]
    public async Task BadSpec_FailsAtOnce_WithTheMessage()
    {
        var files = new List<(string Name, byte[] Data)> { ("a", [1, 2, 3]) };
        var spec = JobSpec.ForCompress(files, "no-such-model", null, null, Kolmo.Compression.KolmoContainer.DefaultBlockSize);
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => new JobClient(_cluster.Client).RunAsync(spec, [files[0].Data]));
        Assert.Contains("no-such-model", e.Message, StringComparison.Ordinal);
    }
}
