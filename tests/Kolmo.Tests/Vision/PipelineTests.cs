using Kolmo.Learning;
using Kolmo.Reporting;
using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

/// <summary>The experiment plumbing (objectives, compression, report) with a stand-in bigram model.</summary>
public class PipelineTests
{
    private static PixelTokens Tokens(int count = 40)
    {
        var set = VisionTestData.Sample().Slice(0, count);
        return new PixelTokens(set, 2, Palette.Uniform(8));
    }

    [Fact]
    public void ArBatch_ShiftsInputsByOneBehindTheStartToken()
    {
        var data = Tokens(3);
        var obj = new PixelObjective(Objective.Autoregressive, data.Palette.Size);
        int t = data.Length;
        var inputs = new int[2 * t];
        var targets = new int[2 * t];
        var rng = new Xoshiro256(1);
        obj.BuildBatch(data, [2, 0], inputs, targets, ref rng);
        Assert.Equal(obj.SpecialToken, inputs[0]);
        Assert.Equal(obj.SpecialToken, inputs[t]);
        for (int i = 0; i < t; i++)
        {
            Assert.Equal(data.Sequence(2)[i], targets[i]);
            Assert.Equal(data.Sequence(0)[i], targets[t + i]);
            if (i > 0)
            {
                Assert.Equal(data.Sequence(2)[i - 1], inputs[i]);
            }
        }
    }

    [Fact]
    public void MaskedBatch_MasksAboutFifteenPercentAndTargetsOnlyThem()
    {
        var data = Tokens(40);
        var obj = new PixelObjective(Objective.Masked, data.Palette.Size);
        int t = data.Length, b = 40;
        var inputs = new int[b * t];
        var targets = new int[b * t];
        var rng = new Xoshiro256(5);
        obj.BuildBatch(data, Enumerable.Range(0, b).ToArray(), inputs, targets, ref rng);
        int masked = 0;
        for (int p = 0; p < b * t; p++)
        {
            if (targets[p] >= 0)
            {
                masked++;
                Assert.Equal(obj.SpecialToken, inputs[p]);
                Assert.Equal(data.Tokens[p], targets[p]);
            }
            else
            {
                Assert.Equal(data.Tokens[p], inputs[p]);
            }
        }
        Assert.InRange(masked / (double)(b * t), 0.13, 0.17);
    }

    [Fact]
    public void Bits_RenormaliseTheSpecialTokenAway()
    {
        var obj = new PixelObjective(Objective.Autoregressive, 4);
        var model = new BigramTokenModel(obj.Vocabulary, 3, 0.1f);
        model.Forward([4, 0, 1], 1);
        // untrained: p = 1/5 each over V = 5, renormalised over K = 4 → 2 bits per target
        var (bits, count) = obj.Bits(model, [1, -1, 3], 0);
        Assert.Equal(2, count);
        Assert.Equal(4.0, bits, 5);
    }

    [Fact]
    public void PixelCompressor_RoundTripsAndCostsAboutTheModelLogLoss()
    {
        var data = Tokens(40);
        var obj = new PixelObjective(Objective.Autoregressive, data.Palette.Size);
        var model = new BigramTokenModel(obj.Vocabulary, data.Length, 5f);
        // train a little so the distribution is far from uniform
        var rng = new Xoshiro256(3);
        var inputs = new int[8 * data.Length];
        var targets = new int[8 * data.Length];
        for (int step = 0; step < 30; step++)
        {
            obj.BuildBatch(data, Enumerable.Range(step % 4 * 8, 8).ToArray(), inputs, targets, ref rng);
            model.TrainStep(inputs, targets, 8);
        }
        var coder = new PixelCompressor(model, obj);
        var tokens = data.Tokens.AsSpan(32 * data.Length, 4 * data.Length).ToArray();
        var (bytes, modelBits) = coder.Compress(tokens, 4);
        Assert.Equal(tokens, coder.Decompress(bytes, 4));
        double actual = bytes.Length * 8.0;
        Assert.InRange(actual, modelBits - 1, modelBits * 1.01 + 64);
        Assert.True(modelBits < tokens.Length * 3 * 0.6, $"model bits {modelBits} not well below uniform {tokens.Length * 3}");
    }

    [Fact]
    public void ContextPixelCoder_RoundTrips_AndBeatsUniform()
    {
        var data = Tokens(40);
        var coded = ContextPixelCoder.Encode(data.Tokens, data.Rows, data.Cols, data.Palette.Size);
        Assert.Equal(data.Tokens, ContextPixelCoder.Decode(coded, data.Count, data.Rows, data.Cols, data.Palette.Size));
        Assert.True(coded.Length * 8.0 / data.Tokens.Length < 1.5, $"{coded.Length * 8.0 / data.Tokens.Length} bits/pixel");
    }

    [Fact]
    public void Experiment_WithStandInModel_ProducesCompleteDeterministicResults()
    {
        var set = VisionTestData.Sample();
        var train = set.Slice(0, 80);
        var test = set.Slice(80, 20);
        var options = new IgptOptions
        {
            PaletteSize = 8,
            Sizes = [new("a", 1, 9, 1), new("b", 1, 9, 1)],
            Steps = 4,
            Checkpoints = 2,
            Batch = 8,
            LearningRate = 0.05f,
            CompressImages = 3,
            Probe = new ProbeOptions { L2Grid = [1e-2, 1e-3], MaxIterations = 30 },
        };
        IgptResults Run() => new IgptExperiment((s, o, t, opt) => new BigramTokenModel(o.Vocabulary, t, 5f)).Run(train, test, options);
        var r = Run();
        Assert.Equal(2 * 2 * 3, r.Runs.Count);   // 2 objectives × 2 sizes × (step 0 + 2 checkpoints)
        Assert.Equal(new[] { 0, 2, 4 }, r.Runs.Where(x => x.Objective == "ar" && x.Size == "a").Select(x => x.Step));
        Assert.All(r.Runs, x => Assert.Equal(2, x.LayerAccuracies.Count));
        Assert.All(r.Runs, x => Assert.Equal(2, x.GridLayerAccuracies.Count));   // the 2×2 grid probe is on by default
        var ar = r.Runs.Where(x => x.Objective == "ar").ToArray();
        // untrained: the bigram table is zero, so every pixel costs log2 K bits
        Assert.All(ar.Where(x => x.Step == 0), x => Assert.Equal(3.0, x.BitsPerDim, 6));
        Assert.True(ar.Last().BitsPerDim < 2.0, $"trained bits/dim {ar.Last().BitsPerDim}");
        Assert.InRange(r.RawPixelProbe, 0.5, 1.0);
        Assert.NotNull(r.Compression);
        Assert.Equal(3, r.Compression!.DecodedImages);
        Assert.Contains("deflate", r.Compression.Baselines.Keys);
        Assert.InRange(r.Compression.CodedBitsPerDim, r.Compression.ModelBitsPerDim * 0.99, r.Compression.ModelBitsPerDim * 1.05 + 0.2);

        var again = Run();
        Assert.Equal(r.Runs.Select(x => (x.BitsPerDim, x.ProbeAccuracy)), again.Runs.Select(x => (x.BitsPerDim, x.ProbeAccuracy)));

        string json = IgptReport.Json(r);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        foreach (var key in new[] { "rawPixelProbe", "untrainedProbe", "spearman", "runs" })
        {
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
        }
        var run0 = doc.RootElement.GetProperty("runs")[0];
        foreach (var key in new[] { "objective", "size", "step", "bitsPerDim", "probeAccuracy", "bestLayer" })
        {
            Assert.True(run0.TryGetProperty(key, out _), key);
        }
        string md = IgptReport.Markdown(r, "t");
        Assert.Contains("Spearman", md, StringComparison.Ordinal);
        Assert.Contains("AR vs masked", md, StringComparison.Ordinal);
        var plots = IgptReport.Plots(r);
        Assert.Equal(3, plots.Count);
        Assert.All(plots.Values, png => Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]));
    }
}
