using Kolmo.Neural;
using static Kolmo.Tests.Neural.NeuralTestUtil;

namespace Kolmo.Tests.Neural;

/// <summary>
/// Tests that change or stall the whole process, so they run alone, after the parallel ones: a helper thread kept
/// waiting for 20 s, back-to-back compacting collections (which suspend every thread of every test beside them).
/// </summary>
[CollectionDefinition("ProcessWide", DisableParallelization = true)]
public sealed class ProcessWideCollection
{
}

/// <summary>
/// The hand-off of a parallel region to a helper still waiting from the region before. It needs both of Par's
/// threads to itself: run beside other tests, their regions can occupy the helper, so it runs alone.
/// </summary>
[Collection("ProcessWide")]
public class ParHandOffTests
{
    [Fact]
    public void ParFor_NextRegionWhileTheHelperWaits_IsHandedToIt_AndEveryChunkRunsOnce()
    {
        var wait0 = Par.HelperWait;
        try
        {
            With(512, 2, () =>
            {
                Par.HelperWait = TimeSpan.FromSeconds(20);   // far longer than the test: the helper is surely still waiting
                for (int region = 0; region < 3; region++)
                {
                    // both threads must be inside the region at once: the barrier holds the caller's chunk until the helper has one
                    using var both = new Barrier(2);
                    var runs = new int[2];
                    var threads = new int[2];
                    long handOffs0 = Par.HandOffs;
                    Par.For(2, 1_000_000, (a, b) =>
                    {
                        for (int i = a; i < b; i++)
                        {
                            Interlocked.Increment(ref runs[i]);
                            threads[i] = Environment.CurrentManagedThreadId;
                            Assert.True(both.SignalAndWait(TimeSpan.FromSeconds(30)), "the helper never took a chunk");
                        }
                    });
                    Assert.Equal([1, 1], runs);
                    Assert.NotEqual(threads[0], threads[1]);
                    if (region > 0)
                    {
                        // the helper of the region before took it from the slot (the counter is process-wide: other tests' regions may add to it)
                        Assert.True(Par.HandOffs > handOffs0, "the region went to a newly woken pool thread, not the waiting helper");
                    }
                }
                return 0;
            });
        }
        finally
        {
            Par.HelperWait = wait0;   // read on every poll: the waiting helper leaves within a millisecond
        }
    }
}

/// <summary>
/// The trainer's update under collections that move memory: its worker threads get raw pointers to the optimiser's
/// moments, which must therefore be pinned. The collector thread here suspends the whole process over and over, so the
/// test runs alone (beside other tests it slowed them by 20× and more, and their heaps made each collection longer).
/// </summary>
[Collection("ProcessWide")]
public class TrainerCompactionTests
{
    [Fact]
    public void Update_WhileCompactingCollectionsRun_GivesTheSameBits()
    {
        // Update hands raw pointers to the optimiser's moments to its worker threads; a collection that moved them in
        // between (a small model's arrays live in the compacted heap) made the update write into freed memory: lost
        // moments, a corrupted heap, and (in the damage sweep of a primed layout-1 golden file) a crash or a hang
        var config = new LstmConfig(64, 8, 1, 32);   // about 12,500 parameters: 50 kB arrays, well below the large-object heap
        var options = new TrainOptions(LearningRate: 0.01f, Steps: 10, WarmupSteps: 0, WeightDecay: 0.1f);
        int n = (int)new Lstm(config, 1).Parameters.Count;
        var grads = Enumerable.Range(0, 4).Select(s => RandomFloats(n, (ulong)(70 + s), 0.5f)).ToArray();
        const int Trainers = 300;
        float[] Train(Action? between)
        {
            var model = new Lstm(config, 5);
            var sum = new float[n];
            for (int r = 0; r < Trainers; r++)
            {
                between?.Invoke();
                var trainer = new Trainer(model, options);   // fresh moments each time: new arrays for a collection to move
                foreach (var g in grads)
                {
                    g.CopyTo(model.Parameters.Grads, 0);
                    trainer.Update(options.LearningRate);
                }
            }
            model.Parameters.Values.CopyTo(sum, 0);
            return sum;
        }
        float[] reference = With(512, 2, () => Train(null));
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        });
        collector.Start();
        try
        {
            // garbage before each trainer leaves a gap below its moments for the next compaction to close
            float[] hammered = With(512, 2, () => Train(() => GC.KeepAlive(new float[257])));
            AssertBitsEqual(reference, hammered);
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }
}
