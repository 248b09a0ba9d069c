using Kolmo.Compression.Neural;

namespace Kolmo.Tests.NeuralCompression;

public class OnlineLstmTests
{
    private static OnlineLstm Small(int layers = 2, int horizon = 8, int seed = 3, float clip = 1e6f) =>
        new(new OnlineLstmOptions(Cells: 16, Layers: layers, Horizon: horizon, LearningRate: 0.01f, Clip: clip, InitScale: 2f, Seed: seed));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Backward_MatchesFiniteDifferences(int layers)
    {
        // the window starts at a fresh context, so truncated BPTT over it is the exact gradient
        var model = Small(layers);
        byte[] window = "abcabd a"u8.ToArray();   // the horizon: one window, no truncation
        var grad = new float[model.ParameterCount];
        model.WindowGradient(window, grad);
        var w = new float[model.ParameterCount];
        model.ReadParameters(w);
        var rng = new Random(5);
        // sample weights with a non-negligible gradient, from every part of the layout
        var picks = Enumerable.Range(0, w.Length).Where(i => Math.Abs(grad[i]) > 1e-3).OrderBy(_ => rng.Next()).Take(40).ToList();
        Assert.True(picks.Count >= 20, $"only {picks.Count} weights with a gradient");
        double worst = 0;
        foreach (int i in picks)
        {
            const float eps = 2e-3f;
            float keep = w[i];
            w[i] = keep + eps;
            model.WriteParameters(w);
            double up = model.WindowLoss(window);
            w[i] = keep - eps;
            model.WriteParameters(w);
            double down = model.WindowLoss(window);
            w[i] = keep;
            double numeric = (up - down) / (2 * eps);
            worst = Math.Max(worst, Math.Abs(numeric - grad[i]) / Math.Max(1e-2, Math.Abs(numeric) + Math.Abs(grad[i])));
        }
        model.WriteParameters(w);
        Assert.True(worst < 0.05, $"worst relative gradient error {worst:F4}");
    }

    [Fact]
    public void Learns_ARepeatingPattern()
    {
        var model = Small();
        byte[] data = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 60)));
        var per = new double[data.Length];
        PrequentialCoder.Measure(model, data, model.Options.Horizon, per);
        double first = per.Take(200).Average(), last = per.Skip(data.Length - 200).Average();
        Assert.True(first > 3, $"first 200 bytes: {first:F2} bits/byte");
        Assert.True(last < 0.5, $"last 200 bytes: {last:F2} bits/byte");
    }

    [Fact]
    public void Training_GivesIdenticalWeightsAndPredictionsForEverySimdWidth()
    {
        byte[] data = PrequentialTests.Text(500, 4);
        float[]? reference = null;
        double refBits = 0;
        foreach (int width in new[] { 1, 4, 8, 16 })
        {
            LaneWidth.Forced = width;
            try
            {
                var model = Small(layers: 3, horizon: 10, clip: 2f);
                double bits = PrequentialCoder.Measure(model, data, 10);
                var w = new float[model.ParameterCount];
                model.ReadParameters(w);
                if (reference is null)
                {
                    reference = w;
                    refBits = bits;
                }
                else
                {
                    Assert.True(reference.AsSpan().SequenceEqual(w), $"width {width}: weights differ from the scalar reference");
                    Assert.Equal(refBits, bits);
                }
            }
            finally
            {
                LaneWidth.Forced = 0;
            }
        }
    }

    [Fact]
    public void Clone_ContinuesIdentically_AndFrozenChangesNothing()
    {
        byte[] data = PrequentialTests.Text(300, 7);
        var a = Small();
        PrequentialCoder.Measure(a, data.AsSpan(0, 150), 8);
        var b = (OnlineLstm)a.Clone();
        double bitsA = PrequentialCoder.Measure(a, data.AsSpan(150), 8);
        double bitsB = PrequentialCoder.Measure(b, data.AsSpan(150), 8);
        Assert.Equal(bitsA, bitsB);

        var before = new float[a.ParameterCount];
        a.ReadParameters(before);
        double frozen1 = PrequentialCoder.MeasureFrozen(a, data);
        double frozen2 = PrequentialCoder.MeasureFrozen(a, data);
        var after = new float[a.ParameterCount];
        a.ReadParameters(after);
        Assert.Equal(before, after);
        Assert.Equal(frozen1, frozen2);
    }

    [Fact]
    public void Spec_RoundTrips_AndBadOptionsAreRefused()
    {
        var o = new OnlineLstmOptions(Cells: 32, Layers: 2, Horizon: 12, LearningRate: 0.005f, Seed: 9);
        var m = (OnlineLstm)SequenceModels.Create(o.Spec);
        Assert.Equal(o, m.Options);
        Assert.Equal(o.Spec, m.Spec);
        // 2 layers of 32 cells: W (32 + 64 inputs) · 96 gates, E 256 · 96 and b 96 per layer, softmax 64 · 256 + 256
        Assert.Equal(32 * 96 + 256 * 96 + 96 + 64 * 96 + 256 * 96 + 96 + 64 * 256 + 256, m.ParameterCount);
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("online-lstm:h=20"));
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("online-lstm:l=0"));
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("online-lstm:t=0"));
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("online-lstm:lr=-1"));
        Assert.Throws<ArgumentException>(() => SequenceModels.Create("online-lstm:h=x"));
    }
}
