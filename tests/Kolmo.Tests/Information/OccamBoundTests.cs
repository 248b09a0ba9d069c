using Kolmo.Information;

namespace Kolmo.Tests.Information;

public class OccamBoundTests
{
    [Fact]
    public void Gap_MatchesHandComputedValue()
    {
        // b = 1000 bits, m = 10000, δ = 0.05:
        // b·ln2 = 693.1471806, ln(1/δ) = ln 20 = 2.9957323, sum = 696.1429128,
        // / (2m) = 0.0348071456, sqrt = 0.1865667324.
        Assert.Equal(0.1865667324, OccamBound.Gap(1000, 10_000, 0.05), 9);
        Assert.Equal(0.1 + 0.1865667324, OccamBound.TestErrorBound(0.1, 1000, 10_000, 0.05), 9);
        // Zero bits: only the confidence term, sqrt(ln(1/δ) / 2m) = sqrt(ln 2 / 2) for δ = 1/2, m = 1.
        Assert.Equal(Math.Sqrt(Math.Log(2) / 2), OccamBound.Gap(0, 1, 0.5), 12);
        // Samples needed for a gap of 0.05: ⌈696.1429 / 0.005⌉ = 139229.
        Assert.Equal(139229, OccamBound.SamplesFor(1000, 0.05, 0.05));
    }

    [Fact]
    public void Gap_ShrinksWithSamples_GrowsWithBits()
    {
        Assert.True(OccamBound.Gap(1000, 20_000, 0.05) < OccamBound.Gap(1000, 10_000, 0.05));
        Assert.True(OccamBound.Gap(2000, 10_000, 0.05) > OccamBound.Gap(1000, 10_000, 0.05));
    }

    [Theory]
    [InlineData(-1, 10, 0.05, 0)]
    [InlineData(10, 0, 0.05, 0)]
    [InlineData(10, 10, 0, 0)]
    [InlineData(10, 10, 1, 0)]
    [InlineData(10, 10, 0.05, 1.5)]
    public void BadArguments_Throw(double bits, long m, double delta, double trainError)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OccamBound.TestErrorBound(trainError, bits, m, delta));
    }
}
