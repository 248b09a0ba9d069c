using System.Diagnostics;
using Kolmo.Learning;
using Kolmo.Vision;

namespace Kolmo.Tests.Vision;

/// <summary>The iGPT pieces on the real neural-engine GPT, at tiny shapes (7×7 images, width 16).</summary>
public class GptVisionTests
{
    private static PixelTokens Tiny(int count, int paletteSize = 4)
    {
        var set = VisionTestData.Sample().Slice(0, count);
        return new PixelTokens(set, 4, Palette.KMeans(set.Downsample(4).Pixels, paletteSize));
    }

    private static double Bits(ITokenTransformer model, PixelObjective obj, PixelTokens data)
    {
        var inputs = new int[data.Count * data.Length];
        var targets = new int[data.Count * data.Length];
        var rng = new Xoshiro256(1);
        obj.BuildBatch(data, Enumerable.Range(0, data.Count).ToArray(), inputs, targets, ref rng);
        model.Forward(inputs, data.Count);
        double bits = 0;
        for (int b = 0; b < data.Count; b++)
        {
            bits += obj.Bits(model, targets, b).Bits;
        }
        return bits / (data.Count * data.Length);
    }

    [Fact]
    public void ArGpt_OverfitsFourImages()
    {
        var data = Tiny(4);
        var obj = new PixelObjective(Objective.Autoregressive, data.Palette.Size);
        var model = IgptModels.Create(new ModelSize("1x16", 1, 16, 2), obj, data.Length, new IgptOptions { Steps = 150, LearningRate = 1e-2f, Seed = 3 });
        double before = Bits(model, obj, data);
        Assert.InRange(before, 1.6, 2.4);   // near log2 K = 2 at initialisation
        var inputs = new int[4 * data.Length];
        var targets = new int[4 * data.Length];
        var rng = new Xoshiro256(2);
        for (int step = 0; step < 150; step++)
        {
            obj.BuildBatch(data, [0, 1, 2, 3], inputs, targets, ref rng);
            model.TrainStep(inputs, targets, 4);
        }
        double after = Bits(model, obj, data);
        Assert.True(after < 0.35 * before, $"bits/dim {before:F3} → {after:F3}");

        // the trained model behind the range coder: decodes back, costs ≈ its log-loss
        var coder = new PixelCompressor(model, obj);
        var (bytes, modelBits) = coder.Compress(data.Tokens, 4);
        Assert.Equal(data.Tokens, coder.Decompress(bytes, 4));
        Assert.Equal(after * data.Tokens.Length, modelBits, 0.01 * modelBits + 1e-3);
        Assert.InRange(bytes.Length * 8.0, modelBits - 1, modelBits * 1.02 + 40);
    }

    [Fact]
    public void MaskedGpt_IsBidirectionalAndLearns()
    {
        var data = Tiny(8);
        var obj = new PixelObjective(Objective.Masked, data.Palette.Size);
        var model = IgptModels.Create(new ModelSize("1x16", 1, 16, 2), obj, data.Length, new IgptOptions { Steps = 60, LearningRate = 1e-2f });
        Assert.False(model.Causal);
        Assert.Throws<InvalidOperationException>(() => model.CreatePredictor());
        var inputs = new int[8 * data.Length];
        var targets = new int[8 * data.Length];
        var rng = new Xoshiro256(2);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            obj.BuildBatch(data, Enumerable.Range(0, 8).ToArray(), inputs, targets, ref rng);
            double loss = model.TrainStep(inputs, targets, 8);
            first = step == 0 ? loss : first;
            last = loss;
        }
        Assert.True(last < 0.6 * first, $"masked loss {first:F3} → {last:F3} nats");
        var acts = model.LayerActivations(8);
        Assert.Equal(8 * 2 * data.Length * 16, acts.Length);
        // layer-normalised: every position's vector has mean 0 and unit variance
        var v = acts.AsSpan(5 * 16, 16).ToArray();
        Assert.Equal(0, v.Average(), 4);
        Assert.Equal(1, v.Select(x => (double)x * x).Average(), 2);
    }

    [Fact]
    public void TrainingState_SavedAndLoaded_ContinuesBitIdentically()
    {
        var data = Tiny(8);
        var obj = new PixelObjective(Objective.Autoregressive, data.Palette.Size);
        var size = new ModelSize("1x16", 1, 16, 2);
        var options = new IgptOptions { Steps = 12, LearningRate = 1e-2f, Seed = 5 };
        var inputs = new int[8 * data.Length];
        var targets = new int[8 * data.Length];
        var rng = new Xoshiro256(2);
        obj.BuildBatch(data, Enumerable.Range(0, 8).ToArray(), inputs, targets, ref rng);
        var a = IgptModels.Create(size, obj, data.Length, options);
        for (int i = 0; i < 5; i++)
        {
            a.TrainStep(inputs, targets, 8);
        }
        var saved = new MemoryStream();
        a.SaveTrainingState(saved);
        var b = IgptModels.Create(size, obj, data.Length, options with { Seed = 99 });   // other initial weights, overwritten by the load
        saved.Position = 0;
        b.LoadTrainingState(saved);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(a.TrainStep(inputs, targets, 8), b.TrainStep(inputs, targets, 8));
        }
        var wa = new MemoryStream();
        var wb = new MemoryStream();
        a.SaveWeights(wa);
        b.SaveWeights(wb);
        Assert.Equal(wa.ToArray(), wb.ToArray());
        // the weights file is an ordinary neural checkpoint
        var loaded = Kolmo.Neural.SequenceModel.Load(new MemoryStream(wa.ToArray()));
        Assert.Equal(9, loaded.StepsTrained);

        var other = IgptModels.Create(new ModelSize("1x8", 1, 8, 1), obj, data.Length, options);
        saved.Position = 0;
        Assert.Throws<InvalidDataException>(() => other.LoadTrainingState(saved));
        var corrupt = saved.ToArray();
        corrupt[^20] ^= 1;
        Assert.Throws<InvalidDataException>(() => b.LoadTrainingState(new MemoryStream(corrupt)));
        Assert.Throws<InvalidDataException>(() => b.LoadTrainingState(new MemoryStream(corrupt[..40])));
    }

    [Fact]
    public void Experiment_OnGpt_LearnsAndSamplesFromTheModel()
    {
        var set = VisionTestData.Sample();
        var options = new IgptOptions
        {
            Downsample = 4,
            PaletteSize = 4,
            Sizes = [new ModelSize("1x8", 1, 8, 1)],
            Steps = 4,
            Checkpoints = 2,
            Batch = 4,
            CompressImages = 3,
            CompletionImages = 2,
            CompletionSamples = 2,
            SampleImages = 2,
            Probe = new ProbeOptions { L2Grid = [1e-2], MaxIterations = 20 },
        };
        var a = new IgptExperiment(IgptModels.Create).Run(set.Slice(0, 60), set.Slice(60, 40), options);
        Assert.Equal(3, a.Measurements.Count);
        Assert.True(a.Measurements[^1].TestBits < a.Measurements[0].TestBits);
        Assert.Equal(2, a.Samples!.Images.Count);
        Assert.NotEqual(a.Samples.Images[0], a.Samples.Images[1]);
    }

    [Fact]
    public void Cli_BitsAndCodedSizes_AreIdenticalWithHardwareIntrinsicsOff()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll");
        string root = Path.Combine(Path.GetTempPath(), "kolmo-igpt-det-" + Guid.NewGuid().ToString("N"));
        try
        {
            string Run(string name, string? env)
            {
                string dir = Path.Combine(root, name);
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in new[] { cli, "igpt", "--sizes", "1x8", "--steps", "3", "--checkpoints", "1", "--batch", "4",
                    "--downsample", "4", "--palette-size", "4", "--compress", "3", "--completions", "1", "--samples", "1", "--probe-train", "40",
                    "--test-limit", "10", "--probe-grid", "0", "--out", dir })
                {
                    psi.ArgumentList.Add(a);
                }
                if (env is not null)
                {
                    psi.Environment[env] = "0";
                }
                using var p = Process.Start(psi)!;
                p.StandardOutput.ReadToEnd();
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, err);
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
                var runs = doc.RootElement.GetProperty("measurements").EnumerateArray().Select(r => r.GetProperty("testBits").GetRawText() + "/" + r.GetProperty("trainBits").GetRawText());
                var c = doc.RootElement.GetProperty("compression");
                return string.Join(";", runs) + "|" + c.GetProperty("codedBitsPerDim").GetRawText() + "|" + c.GetProperty("modelBitsPerDim").GetRawText()
                    + "|" + doc.RootElement.GetProperty("completions").GetRawText() + "|" + doc.RootElement.GetProperty("samples").GetRawText();
            }
            string normal = Run("a", null);
            Assert.Equal(normal, Run("b", "DOTNET_EnableHWIntrinsic"));
            Assert.Equal(normal, Run("c", "DOTNET_EnableAVX512F"));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, true);
            }
        }
    }
}
