using Kolmo.Learning;

namespace Kolmo.Tests.Learning;

public class ProbeTests
{
    /// <summary>Three Gaussian-free classes separated by linear margins: class = argmax of three fixed linear scores (margin ≥ 0.5).</summary>
    private static (float[] X, byte[] Y) Separable(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var w = new float[3, d];
        for (int c = 0; c < 3; c++)
        {
            for (int j = 0; j < d; j++)
            {
                w[c, j] = (float)(rng.NextDouble() * 2 - 1);
            }
        }
        var x = new List<float>();
        var y = new List<byte>();
        while (y.Count < n)
        {
            var row = new float[d];
            for (int j = 0; j < d; j++)
            {
                row[j] = (float)(rng.NextDouble() * 4 - 2);
            }
            var s = new double[3];
            for (int c = 0; c < 3; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    s[c] += w[c, j] * row[j];
                }
            }
            var sorted = s.Order().ToArray();
            if (sorted[2] - sorted[1] < 0.5)
            {
                continue;   // keep a margin so the set is linearly separable with room to spare
            }
            x.AddRange(row);
            y.Add((byte)Array.IndexOf(s, sorted[2]));
        }
        return (x.ToArray(), y.ToArray());
    }

    [Fact]
    public void Probe_LinearlySeparableSet_ReachesNearlyPerfectAccuracy()
    {
        // one draw of the class weights; the first 600 rows train, the last 300 test
        var all = Separable(900, 7, 11);
        var r = LinearProbe.Run(all.X.AsSpan(0, 600 * 7), all.Y.AsSpan(0, 600), all.X.AsSpan(600 * 7), all.Y.AsSpan(600), 7, 3,
            new ProbeOptions { L2Grid = [1e-3, 1e-5] });
        Assert.True(r.TestAccuracy >= 0.98, $"test accuracy {r.TestAccuracy}");
        Assert.True(r.ValidationAccuracy >= 0.98, $"validation accuracy {r.ValidationAccuracy}");
    }

    [Fact]
    public void Fit_IsDeterministic_SameInputsGiveIdenticalWeights()
    {
        var (x, y) = Separable(300, 5, 4);
        var a = LogisticRegression.Fit(x, 5, y, 3, 1e-3, 50);
        var b = LogisticRegression.Fit(x, 5, y, 3, 1e-3, 50);
        Assert.Equal(a.Weights.ToArray(), b.Weights.ToArray());
        Assert.Equal(a.Bias.ToArray(), b.Bias.ToArray());
        Assert.Equal(a.Loss, b.Loss);
    }

    [Fact]
    public void Fit_StrongerL2_ShrinksWeights_AndGradientIsZeroAtOptimum()
    {
        var (x, y) = Separable(200, 4, 9);
        var weak = LogisticRegression.Fit(x, 4, y, 3, 1e-3, 300);
        var strong = LogisticRegression.Fit(x, 4, y, 3, 1.0, 300);
        double Norm(LogisticRegression m) => m.Weights.ToArray().Sum(v => (double)v * v);
        Assert.True(Norm(strong) < Norm(weak) / 10, $"{Norm(strong)} vs {Norm(weak)}");
        Assert.True(strong.Loss < Math.Log(3), $"loss {strong.Loss} not below the uniform {Math.Log(3)}");
    }

    [Fact]
    public void Fit_BadShapesAndLabels_Throw()
    {
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(new float[5], 2, new byte[] { 0, 1 }, 2, 0));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(new float[4], 2, new byte[] { 0, 2 }, 2, 0));
    }

    [Fact]
    public void Ranks_TiesShareTheMeanRank()
    {
        Assert.Equal(new[] { 1, 2.5, 2.5, 4 }, RankCorrelation.Ranks([10, 20, 20, 30]));
        Assert.Equal(new double[] { 3, 1, 3, 3 }, RankCorrelation.Ranks([5, 1, 5, 5]));
    }

    [Fact]
    public void Spearman_KnownValues()
    {
        Assert.Equal(1.0, RankCorrelation.Spearman([1, 2, 3, 4], [10, 100, 1000, 10000]), 12);
        Assert.Equal(-1.0, RankCorrelation.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // no ties: 1 − 6Σd²/(n(n²−1)); ranks y = 1 3 2 4 → Σd² = 2 → 1 − 12/60 = 0.8
        Assert.Equal(0.8, RankCorrelation.Spearman([1, 2, 3, 4], [1, 3, 2, 4]), 12);
        // ties: x ranks 1 2.5 2.5 4, y ranks 1 2 3 4 → Pearson = 4.5/sqrt(4.5·5) = 0.9486833
        Assert.Equal(4.5 / Math.Sqrt(4.5 * 5), RankCorrelation.Spearman([1, 2, 2, 3], [1, 2, 3, 4]), 12);
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 1, 1], [1, 2, 3])));
        Assert.Throws<ArgumentException>(() => RankCorrelation.Spearman([1, 2], [1]));
    }
}
