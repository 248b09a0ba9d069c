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

    [Fact]
    public void Fit_ConvergesToTheGradientTolerance_AndReportsIt()
    {
        var (x, y) = Separable(300, 5, 4);
        using var m = FeatureMatrix.FromArray(x, 5);
        var fit = LogisticRegression.Fit(m, 300, y, 3, 1e-2, null, new LogisticFitOptions { GradientTolerance = 1e-6, MaxIterations = 5000 });
        Assert.True(fit.Converged, $"{fit.Iterations} iterations, gradient {fit.GradientNorm}");
        Assert.True(fit.GradientNorm <= 1e-6);
        Assert.InRange(fit.Iterations, 2, 5000);
        var capped = LogisticRegression.Fit(m, 300, y, 3, 1e-2, null, new LogisticFitOptions { GradientTolerance = 1e-12, MaxIterations = 3 });
        Assert.False(capped.Converged);
        Assert.Equal(3, capped.Iterations);
    }

    [Fact]
    public void Fit_ReportedConvergence_HoldsForAGradientRecomputedInDouble()
    {
        // a noisy 10-class problem (labels of 20% of the rows replaced at random, so not separable) with features far
        // from zero mean and unit scale; the fit's own gradient is accumulated in float inside the folded
        // standardisation, so recompute ∂J/∂θ here in double from the public raw-space weights and check the claim
        const int n = 1500, d = 12, k = 10;
        var rng = new Random(5);
        var centres = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                centres[c, j] = rng.NextDouble() * 2 - 1;
            }
        }
        var x = new float[n * d];
        var y = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % k;
            y[i] = (byte)(rng.NextDouble() < 0.2 ? rng.Next(k) : c);
            for (int j = 0; j < d; j++)
            {
                double gauss = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                x[i * d + j] = (float)(100 + 10 * j + (j + 1) * (centres[c, j] + 0.7 * gauss));
            }
        }
        const double l2 = 1e-3;
        using var m = FeatureMatrix.FromArray(x, d);
        var fit = LogisticRegression.Fit(m, n, y, k, l2, null, new LogisticFitOptions { GradientTolerance = 1e-5, MaxIterations = 5000 });
        Assert.True(fit.Converged, $"{fit.Iterations} iterations, gradient {fit.GradientNorm}");

        // θ in standardised space: W[c, j] = (W⊙s)[c, j] / s_j, b[c] = raw bias + Σ_j (W⊙s)[c, j]·μ_j
        var st = fit.Standardization;
        var w = new double[k, d];
        var b = new double[k];
        for (int c = 0; c < k; c++)
        {
            b[c] = fit.Bias[c];
            for (int j = 0; j < d; j++)
            {
                w[c, j] = fit.Weights[c * d + j] / (double)st.Scale[j];
                b[c] += fit.Weights[c * d + j] * (double)st.Mean[j];
            }
        }
        var gw = new double[k, d];
        var gb = new double[k];
        var p = new double[k];
        for (int i = 0; i < n; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                p[c] = b[c];
                for (int j = 0; j < d; j++)
                {
                    p[c] += w[c, j] * (x[i * d + j] - (double)st.Mean[j]) * st.Scale[j];
                }
                max = Math.Max(max, p[c]);
            }
            double z = 0;
            for (int c = 0; c < k; c++)
            {
                p[c] = Math.Exp(p[c] - max);
                z += p[c];
            }
            for (int c = 0; c < k; c++)
            {
                double g = p[c] / z - (c == y[i] ? 1 : 0);
                gb[c] += g / n;
                for (int j = 0; j < d; j++)
                {
                    gw[c, j] += g * (x[i * d + j] - (double)st.Mean[j]) * st.Scale[j] / n;
                }
            }
        }
        double worst = 0;
        for (int c = 0; c < k; c++)
        {
            worst = Math.Max(worst, Math.Abs(gb[c]));
            for (int j = 0; j < d; j++)
            {
                worst = Math.Max(worst, Math.Abs(gw[c, j] + l2 * w[c, j]));
            }
        }
        // the tolerance, plus the float rounding of the weights handed back (|θ| ≲ 10, relative 6e-8)
        Assert.True(worst <= 1.5e-5, $"max |∂J/∂θ| recomputed in double {worst:E3}; the fit reported {fit.GradientNorm:E3}");
        // and the accuracy it reaches is not below what a much tighter fit reaches
        var tight = LogisticRegression.Fit(m, n, y, k, l2, null, new LogisticFitOptions { GradientTolerance = 1e-8, MaxIterations = 20000 });
        Assert.True(fit.Loss - tight.Loss <= 1e-7, $"objective {fit.Loss} vs {tight.Loss} at 1e-8");
    }

    [Fact]
    public void Fit_FoldedStandardisation_EqualsFittingStandardisedFeatures()
    {
        // shift and scale the columns wildly; the folded fit on raw rows must match a fit on pre-standardised rows
        var (x, y) = Separable(240, 4, 21);
        var raw = x.Select((v, i) => v * (i % 4 + 1) * 10f + (i % 4) * 100f).ToArray();
        using var rawMatrix = FeatureMatrix.FromArray(raw, 4);
        var st = Standardization.Fit(rawMatrix, 240);
        var standardised = raw.Select((v, i) => (v - st.Mean[i % 4]) * st.Scale[i % 4]).ToArray();
        var options = new LogisticFitOptions { GradientTolerance = 1e-7, MaxIterations = 3000 };
        var a = LogisticRegression.Fit(rawMatrix, 240, y, 3, 1e-2, st, options);
        using var stdMatrix = FeatureMatrix.FromArray(standardised, 4);
        var b = LogisticRegression.Fit(stdMatrix, 240, y, 3, 1e-2, Standardization.Identity(4), options);
        Assert.Equal(b.Loss, a.Loss, 6);
        for (int i = 0; i < 240; i++)
        {
            Assert.Equal(b.Predict(standardised.AsSpan(i * 4, 4)), a.Predict(raw.AsSpan(i * 4, 4)));
        }
    }

    [Fact]
    public void Fit_ResultDoesNotDependOnThreads_NorOnAFileBackedMatrix()
    {
        var (x, y) = Separable(500, 6, 8);
        using var memory = FeatureMatrix.FromArray(x, 6);
        using var file = FeatureMatrix.Create(500, 6, memoryLimit: 0);
        Assert.True(file.IsFileBacked);
        for (int i = 0; i < 500; i++)
        {
            memory.Row(i).CopyTo(file.Row(i));
        }
        var one = LogisticRegression.Fit(memory, 500, y, 3, 1e-3, null, new LogisticFitOptions { Threads = 1, MaxIterations = 100 });
        var two = LogisticRegression.Fit(file, 500, y, 3, 1e-3, null, new LogisticFitOptions { Threads = 2, MaxIterations = 100 });
        Assert.Equal(one.Weights.ToArray(), two.Weights.ToArray());
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.Iterations, two.Iterations);
    }

    [Fact]
    public void FeatureMatrix_FileBacked_RoundTripsRows_AndDeletesItsFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-features-" + Guid.NewGuid().ToString("N"));
        try
        {
            var m = FeatureMatrix.Create(3, 5, memoryLimit: 10, spillDirectory: dir);
            Assert.True(m.IsFileBacked);
            Assert.Single(Directory.GetFiles(dir));
            Assert.All(m.Block(0, 3).ToArray(), v => Assert.Equal(0f, v));
            m.Row(2)[4] = 7.5f;
            m.Row(0)[0] = -1f;
            Assert.Equal(7.5f, m.Block(0, 3)[14]);
            Assert.Equal(new float[] { -1, 0, 0, 0, 0 }, m.SelectRows([0]).Row(0).ToArray());
            m.Dispose();
            Assert.Empty(Directory.GetFiles(dir));
            Assert.False(FeatureMatrix.Create(3, 5, memoryLimit: 60).IsFileBacked);
            Assert.Throws<ArgumentException>(() => FeatureMatrix.FromArray(new float[7], 5));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void HoldOutOrder_PutsAnEvenlySpacedSampleLast()
    {
        Assert.Equal(new[] { 0, 1, 3, 4, 5, 6, 8, 9, 2, 7 }, LinearProbe.HoldOutOrder(10, 0.2));
        var order = LinearProbe.HoldOutOrder(8000, 0.1);
        Assert.Equal(Enumerable.Range(0, 8000), order.Order());
        Assert.Equal(Enumerable.Range(0, 800).Select(j => 10 * j + 5), order[7200..]);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.HoldOutOrder(10, 0));
    }

    [Fact]
    public void Probe_ReportsItsPath_AndConvergence()
    {
        var all = Separable(600, 5, 3);
        var r = LinearProbe.Run(all.X.AsSpan(0, 500 * 5), all.Y.AsSpan(0, 500), all.X.AsSpan(500 * 5), all.Y.AsSpan(500), 5, 3,
            new ProbeOptions { L2Grid = [1, 1e-1, 1e-2, 1e-3], Patience = 0 });
        Assert.Equal(new[] { 1, 1e-1, 1e-2, 1e-3 }, r.Path.Select(p => p.L2));
        Assert.Contains(r.L2, r.Path.Select(p => p.L2));
        Assert.Equal(r.Path.Sum(p => p.Iterations) + r.RefitIterations, r.Iterations);
        Assert.True(r.Converged);
        Assert.Equal(100, r.TestCorrect.Length);
        Assert.Equal(r.TestAccuracy, r.TestCorrect.Count(c => c) / 100.0, 12);
    }

    [Fact]
    public void BootstrapSpearman_MonotonePoints_GiveOne_AndIsSeeded()
    {
        // 4 points whose per-unit values are the point's level plus unit noise: every resample keeps the order
        var x = Enumerable.Range(0, 4).Select(p => Enumerable.Range(0, 50).Select(i => p * 10.0 + i % 3).ToArray()).ToArray();
        var y = Enumerable.Range(0, 4).Select(p => Enumerable.Range(0, 50).Select(i => p + (i % 2) * 0.1).ToArray()).ToArray();
        Assert.Equal((1.0, 1.0), RankCorrelation.BootstrapSpearman(x, y, 200));
        var noisy = Enumerable.Range(0, 4).Select(p => Enumerable.Range(0, 50).Select(i => (double)((i * 7 + p * 13) % 5)).ToArray()).ToArray();
        var a = RankCorrelation.BootstrapSpearman(x, noisy, 300, 0.9, 5);
        Assert.Equal(a, RankCorrelation.BootstrapSpearman(x, noisy, 300, 0.9, 5));
        Assert.True(a.Low <= a.High);
        Assert.InRange(a.Low, -1, 1);
        Assert.True(double.IsNaN(RankCorrelation.BootstrapSpearman([x[0]], [y[0]]).Low));
        Assert.Throws<ArgumentException>(() => RankCorrelation.BootstrapSpearman(x, y[..3]));
    }
}
