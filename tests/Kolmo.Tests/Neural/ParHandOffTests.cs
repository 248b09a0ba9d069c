using Kolmo.Neural;
using static Kolmo.Tests.Neural.NeuralTestUtil;

namespace Kolmo.Tests.Neural;

[CollectionDefinition("ParAlone", DisableParallelization = true)]
public sealed class ParAloneCollection
{
}

/// <summary>
/// The hand-off of a parallel region to a helper still waiting from the region before. It needs both of Par's
/// threads to itself: run beside other tests, their regions can occupy the helper, so it runs alone.
/// </summary>
[Collection("ParAlone")]
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
