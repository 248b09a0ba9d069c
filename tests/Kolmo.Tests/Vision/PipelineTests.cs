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

    private static IgptOptions StandInOptions => new()
    {
        PaletteSize = 8,
        Sizes = [new("a", 1, 9, 1), new("b", 1, 9, 1)],
        MaskedSizes = ["a"],
        Seeds = 2,
        Steps = 6,
        Checkpoints = 2,
        Batch = 8,
        LearningRate = 0.05f,
        ProbeGrid = 2,
        CompressImages = 3,
        CompletionImages = 2,
        CompletionSamples = 2,
        SampleImages = 3,
        Probe = new ProbeOptions { L2Grid = [1e-2, 1e-3], MaxIterations = 50 },
    };

    private static IgptResults RunStandIn(IgptCheckpointStore? store = null, Action<IgptProgress>? progress = null, CancellationToken ct = default)
    {
        var set = VisionTestData.Sample();
        var experiment = new IgptExperiment((s, o, t, opt) => new BigramTokenModel(o.Vocabulary, t, 5f)) { Progress = progress };
        return experiment.Run(set.Slice(0, 80), set.Slice(80, 20), StandInOptions, null, store, null, ct);
    }

    [Fact]
    public void Experiment_WithStandInModel_ProducesCompleteDeterministicResults()
    {
        var r = RunStandIn();
        // AR a, AR b, masked a (seed 0) measured at steps 0, 3, 6; AR a s1 and masked a s1 at the final step only
        Assert.Equal(3 * 3 + 2, r.Measurements.Count);
        Assert.All(r.Measurements.Where(x => x.SeedIndex == 1), x => Assert.Equal(6, x.Step));
        Assert.Equal(new[] { 0, 3, 6 }, r.Measurements.Where(x => x.Objective == "ar" && x.Size == "a" && x.SeedIndex == 0).Select(x => x.Step));
        Assert.All(r.Measurements, x => Assert.Equal(2, x.Mean.Layers.Count));
        Assert.All(r.Measurements, x => Assert.Equal(2 * 2 * 9, x.Grid!.Features));
        var ar = r.Measurements.Where(x => x.Objective == "ar").ToArray();
        // untrained: the bigram table is zero, so every pixel costs log2 K bits
        Assert.All(ar.Where(x => x.Step == 0), x => Assert.Equal(3.0, x.TestBits, 5));
        Assert.True(ar.Last().TestBits < 2.0, $"trained bits/dim {ar.Last().TestBits}");
        Assert.All(ar, x => Assert.NotNull(x.BottomHalfBits));
        Assert.InRange(r.RawPixels.TestAccuracy, 0.5, 1.0);
        Assert.Equal(2, r.Curve.Count);
        Assert.All(r.Curve, c => Assert.Equal(4, c.Points));   // 2 sizes × 2 trained checkpoints
        var cmp = Assert.Single(r.Comparisons);
        Assert.Equal(2, cmp.ArMean.Values.Count);
        Assert.Equal(cmp.ArMean.Values[0] - cmp.MaskedMean.Values[0], cmp.DifferenceMean.Values[0], 12);
        Assert.NotNull(r.Compression);
        Assert.Equal(3, r.Compression!.DecodedImages);
        Assert.Contains("deflate", r.Compression.Baselines.Keys);
        Assert.InRange(r.Compression.CodedBitsPerDim, r.Compression.ModelBitsPerDim * 0.99, r.Compression.ModelBitsPerDim * 1.05 + 0.2);
        Assert.Equal(2, r.Completions!.Originals.Count);
        Assert.All(r.Completions.Completions, c => Assert.Equal(2, c.Count));
        Assert.Equal(3, r.Samples!.Images.Count);
        // the given rows of every completion are the original's
        int given = r.Completions.GivenRows * r.Completions.Width;
        for (int i = 0; i < 2; i++)
        {
            Assert.All(r.Completions.Completions[i], c => Assert.Equal(r.Completions.Originals[i][..given], c[..given]));
        }

        var again = RunStandIn();
        Assert.Equal(Comparable(r), Comparable(again));

        using var doc = System.Text.Json.JsonDocument.Parse(IgptResultsJson.Serialize(r));
        foreach (var key in new[] { "rawPixels", "measurements", "curve", "comparisons", "compression", "completions", "samples", "options" })
        {
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
        }
        var back = IgptResultsJson.Deserialize(IgptResultsJson.Serialize(r));
        Assert.Equal(Comparable(r), Comparable(back));

        var files = Kolmo.Reporting.IgptReport.Render(r, new Dictionary<string, string> { ["command"] = "test" });
        Assert.Equal(Kolmo.Reporting.IgptReport.Files.Order(), files.Keys.Order());
        Assert.All(files.Where(f => f.Key.EndsWith(".png", StringComparison.Ordinal)), f => Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, f.Value[..4]));
        string md = System.Text.Encoding.UTF8.GetString(files["report.md"]);
        foreach (var heading in new[] { "## Summary", "## Loss vs probe accuracy", "## AR vs masked at equal compute", "## Probe accuracy by layer", "## Compression", "## Completions", "## Samples", "## Probe optimisation" })
        {
            Assert.Contains(heading, md, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GreyPng_Grid_EncodesThePixels()
    {
        // two 1×2 images side by side, scale 1: gutter 2 → width 2·2 + 3·2 = 10, height 1 + 2·2 = 5
        var png = Kolmo.Reporting.GreyPng.Grid([[new byte[] { 0, 255 }, new byte[] { 10, 20 }]], 1, 2, 1, 0);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(10, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(5, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        int idat = png.AsSpan().IndexOf("IDAT"u8);
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat - 4));
        using var z = new System.IO.Compression.ZLibStream(new MemoryStream(png, idat + 4, length), System.IO.Compression.CompressionMode.Decompress);
        var raw = new MemoryStream();
        z.CopyTo(raw);
        var rows = raw.ToArray();
        Assert.Equal(5 * (1 + 10 * 3), rows.Length);
        var row2 = rows.AsSpan(2 * 31 + 1, 30);   // the image row: gutter, 0, 255, gutter, 10, 20, gutter
        Assert.Equal(new byte[] { 128, 128, 128, 128, 128, 128, 0, 0, 0, 255, 255, 255 }, row2[..12].ToArray());
        Assert.Equal(new byte[] { 10, 10, 10, 20, 20, 20 }, row2.Slice(18, 6).ToArray());
    }

    /// <summary>The results as JSON without the time fields (which differ between runs).</summary>
    internal static string Comparable(IgptResults r)
    {
        var m = r.Measurements.Select(x => x with { TrainCpuSeconds = 0, MeasureCpuSeconds = 0 }).ToArray();
        var c = r.Comparisons.Select(x => x with { ArTrainCpuSeconds = 0, MaskedTrainCpuSeconds = 0 }).ToArray();
        return IgptResultsJson.Serialize(r with { CpuSeconds = 0, WallSeconds = 0, Measurements = m, Comparisons = c });
    }

    [Fact]
    public void Experiment_InterruptedAndResumed_GivesTheUninterruptedResults()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kolmo-igpt-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var expected = RunStandIn();
            // interrupt several times: during training of the first run, in a later run's probes, ...
            foreach (int stopAt in new[] { 3, 40 })
            {
                using var cts = new CancellationTokenSource();
                int calls = 0;
                try
                {
                    RunStandIn(new IgptCheckpointStore(dir), p =>
                    {
                        if (++calls == stopAt)
                        {
                            cts.Cancel();
                        }
                    }, cts.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            var store = new IgptCheckpointStore(dir);
            Assert.True(store.HasExperiment);
            Assert.NotNull(store.WeightsPath(new IgptRunSpec(Objective.Autoregressive, StandInOptions.Sizes[0], 0), 3));
            var resumed = RunStandIn(store);
            Assert.Equal(Comparable(expected), Comparable(resumed));
            Assert.False(Directory.Exists(store.SpillDirectory) && Directory.EnumerateFiles(store.SpillDirectory).Any());
            // a finished experiment resumes instantly to the same results
            Assert.Equal(Comparable(expected), Comparable(RunStandIn(store)));
            // other settings or other data are refused
            var set = VisionTestData.Sample();
            var experiment = new IgptExperiment((s, o, t, opt) => new BigramTokenModel(o.Vocabulary, t, 5f));
            Assert.Throws<ArgumentException>(() => experiment.Run(set.Slice(0, 80), set.Slice(80, 20), StandInOptions with { Steps = 8 }, null, store));
            Assert.Throws<ArgumentException>(() => experiment.Run(set.Slice(0, 70), set.Slice(70, 30), StandInOptions, null, store));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public void Options_Validate_RefusesBadSettings()
    {
        Assert.Throws<ArgumentException>(() => new IgptOptions { MaskedSizes = ["9x9"] }.Validate());
        Assert.Throws<ArgumentException>(() => new IgptOptions { Steps = 2, Checkpoints = 3 }.Validate());
        Assert.Throws<ArgumentException>(() => new IgptOptions { Sizes = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new IgptOptions { Seeds = 0 }.Validate());
        IgptOptions.Quick.Validate();
        IgptOptions.Full.Validate();
        Assert.Equal(new[] { 0, 33, 66, 100 }, new IgptOptions { Steps = 100, Checkpoints = 3 }.CheckpointSteps());
        var seeds = new IgptOptions { Steps = 100, Checkpoints = 3 };
        Assert.Equal(new[] { 0, 33, 66, 100 }, seeds.CheckpointSteps(new IgptRunSpec(Objective.Masked, ModelSize.Parse("1x8"), 0)));
        Assert.Equal(new[] { 100 }, seeds.CheckpointSteps(new IgptRunSpec(Objective.Autoregressive, ModelSize.Parse("1x8"), 2)));
        var runs = new IgptOptions { Sizes = [ModelSize.Parse("1x8"), ModelSize.Parse("2x8")], MaskedSizes = ["1x8"], Seeds = 3 }.Runs();
        Assert.Equal(new[] { "ar-1x8-s0", "ar-2x8-s0", "masked-1x8-s0", "ar-1x8-s1", "masked-1x8-s1", "ar-1x8-s2", "masked-1x8-s2" }, runs.Select(r => r.Name));
    }
}
