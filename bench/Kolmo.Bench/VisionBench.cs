using System.Diagnostics;
using System.Globalization;
using Kolmo.Learning;
using Kolmo.Vision;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterVision(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["vision-gpt"] = ("time of one iGPT training step (batch 16) and one eval forward (batch 50) at 14x14 for model sizes, as ratios to the smallest. Args: [SIZES=1x16,1x32,2x32,2x48,3x64]", VisionGpt);
        suites["vision-coders"] = ("bits/pixel of deflate, lzma, cm and the (left, above) context model on the pixel tokens of `kolmo igpt`'s MNIST and Fashion-MNIST test images. Args: [DATA_DIR=../shared/data] [FASHION_DIR=/usr/share/datasets/fashion-mnist] [IMAGES=20]", VisionCoders);
        suites["vision-probe"] = ("raw-pixel linear probes on MNIST (8k/2k of t10k) at 28x28, 14x14, 7x7: accuracy and time ratio. Args: [DATA_DIR=../shared/data]", VisionProbe);
    }

    private static int VisionGpt(string[] args)
    {
        var sizes = (args.Length > 0 ? args[0] : "1x16,1x32,2x32,2x48,3x64").Split(',').Select(ModelSize.Parse).ToArray();
        var obj = new PixelObjective(Objective.Autoregressive, 16);
        int t = 196;
        var rng = new Xoshiro256(1);
        double baseStep = 0, baseEval = 0;
        foreach (var size in sizes)
        {
            var m = IgptModels.Create(size, obj, t, new IgptOptions { Steps = 100 });
            var inputs = new int[16 * t];
            var targets = new int[16 * t];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = rng.Next(17);
                targets[i] = rng.Next(16);
            }
            m.TrainStep(inputs, targets, 16);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 3; i++)
            {
                m.TrainStep(inputs, targets, 16);
            }
            double step = sw.Elapsed.TotalSeconds / 3;
            var evalInputs = new int[50 * t];
            sw.Restart();
            m.Forward(evalInputs, 50);
            m.LayerActivations(50);
            double eval = sw.Elapsed.TotalSeconds;
            if (baseStep == 0)
            {
                baseStep = step;
                baseEval = eval;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size.Name,-6} params {m.ParameterCount,8}: train step {step * 1000,8:F0} ms ({step / baseStep:F2}x), eval forward of 50 images {eval * 1000,8:F0} ms ({eval / baseEval:F2}x)"));
        }
        return 0;
    }

    private static int VisionCoders(string[] args)
    {
        string data = args.Length > 0 ? args[0] : "../shared/data";
        string fashion = args.Length > 1 ? args[1] : "/usr/share/datasets/fashion-mnist";
        int images = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var sets = new List<(string Name, ImageSet Train, ImageSet Test)>();
        var mnist = Idx.ReadLabelled(Path.Combine(data, "mnist", "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "mnist", "t10k-labels-idx1-ubyte.gz"));
        sets.Add(("MNIST (palette from t10k[0..8000), test = t10k[8000..])", mnist.Slice(0, 8000), mnist.Slice(8000, 2000)));
        if (File.Exists(Path.Combine(fashion, "train-images-idx3-ubyte.gz")))
        {
            sets.Add(("Fashion-MNIST (palette from train, test = t10k)", Idx.ReadImages(Path.Combine(fashion, "train-images-idx3-ubyte.gz")),
                Idx.ReadImages(Path.Combine(fashion, "t10k-images-idx3-ubyte.gz"))));
        }
        foreach (var (name, train, test) in sets)
        {
            var palette = PixelTokens.FitPalette(train, 2, PaletteKind.KMeans, 16);
            var tokens = new PixelTokens(test.Slice(0, images), 2, palette);
            Console.WriteLine($"{name}: first {images} test images, 14x14, {palette.Size}-level k-means palette, {tokens.Tokens.Length} tokens");
            foreach (var (coder, bpp) in PixelBaselines.Measure(tokens.Tokens, tokens.Rows, tokens.Cols, palette.Size))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {coder,-40} {bpp:F4} bits/pixel"));
            }
        }
        return 0;
    }

    private static int VisionProbe(string[] args)
    {
        string data = args.Length > 0 ? args[0] : "../shared/data";
        string dir = Path.Combine(data, "mnist");
        var all = Idx.ReadLabelled(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));
        var train = all.Slice(0, 8000);
        var test = all.Slice(8000, 2000);
        var rows = new List<(string Name, int Dim, double Accuracy, double L2, double Seconds)>();
        foreach (int factor in new[] { 1, 2, 4 })
        {
            var tr = train.Downsample(factor);
            var te = test.Downsample(factor);
            var sw = Stopwatch.StartNew();
            var r = LinearProbe.Run(tr.Pixels.Select(p => p / 255f).ToArray(), tr.Labels, te.Pixels.Select(p => p / 255f).ToArray(), te.Labels, tr.PixelsPerImage, 10);
            rows.Add(($"raw pixels {tr.Rows}x{tr.Cols}", tr.PixelsPerImage, r.TestAccuracy, r.L2, sw.Elapsed.TotalSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows[^1].Name}: accuracy {r.TestAccuracy:P2} (λ {r.L2:G2}, validation {r.ValidationAccuracy:P2}) in {sw.Elapsed.TotalSeconds:F1} s"));
        }
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string commit = VisionGitCommit();
        string machine = $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        Directory.CreateDirectory("docs/bench");
        string stem = $"docs/bench/{date}-vision-probe";
        using (var tsv = new StreamWriter(stem + ".tsv"))
        {
            tsv.WriteLine("features\tdim\ttest_accuracy\tl2\tseconds\tseconds_vs_28x28");
            foreach (var r in rows)
            {
                tsv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name}\t{r.Dim}\t{r.Accuracy:F4}\t{r.L2:G2}\t{r.Seconds:F2}\t{r.Seconds / rows[0].Seconds:F3}"));
            }
        }
        using (var md = new StreamWriter(stem + ".md"))
        {
            md.WriteLine($"# Raw-pixel linear probes, MNIST t10k split 8000 train / 2000 test\n\n- date: {date}\n- machine: {machine}, shared with other jobs\n- runtime: .NET {Environment.Version}\n- commit: {commit}\n- probe: LinearProbe defaults (L-BFGS, λ grid tuned on the last 10% of training rows)\n");
            md.WriteLine("| features | dim | test accuracy | λ | time ratio vs 28x28 |\n|---|---:|---:|---:|---:|");
            foreach (var r in rows)
            {
                md.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Dim} | {r.Accuracy:P2} | {r.L2:G2} | {r.Seconds / rows[0].Seconds:F3} |"));
            }
        }
        Console.WriteLine($"wrote {stem}.md and .tsv");
        return 0;
    }

    private static string VisionGitCommit()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true })!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
