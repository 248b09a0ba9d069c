using System.Diagnostics;
using System.Globalization;
using Kolmo.Learning;
using Kolmo.Vision;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterVision(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["vision-gpt"] = ("iGPT training steps (batch 16) and feature passes (batch 50, all layers) at 14x14 per process CPU-second for model sizes. Args: [SIZES=1x32,1x64,2x64,4x64,2x128,4x128]", VisionGpt);
        suites["vision-coders"] = ("bits/pixel of deflate, lzma, cm and the (left, above) context model on the pixel tokens of `kolmo igpt`'s MNIST and Fashion-MNIST test images. Args: [DATA_DIR=../shared/data] [FASHION_DIR=/usr/share/datasets/fashion-mnist] [IMAGES=20]", VisionCoders);
        suites["vision-probe"] = ("raw-pixel linear probes on MNIST (8k/2k of t10k) at 28x28, 14x14, 7x7: accuracy, λ, L-BFGS iterations, CPU-seconds and GFLOP per CPU-second. Args: [DATA_DIR=../shared/data]", VisionProbe);
    }

    private static double ProcessCpuSeconds()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }

    private static int VisionGpt(string[] args)
    {
        var sizes = (args.Length > 0 ? args[0] : "1x32,1x64,2x64,4x64,2x128,4x128").Split(',').Select(ModelSize.Parse).ToArray();
        var obj = new PixelObjective(Objective.Autoregressive, 16);
        int t = 196;
        var rng = new Xoshiro256(1);
        Console.WriteLine($"iGPT shapes at 14x14 (T = {t}), {Kolmo.Neural.NeuralRuntime.Threads} thread(s), SIMD {Kolmo.Neural.NeuralRuntime.SimdPath}; tokens per process CPU-second");
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
            int steps = 0;
            double cpu0 = ProcessCpuSeconds(), cpu;
            do
            {
                m.TrainStep(inputs, targets, 16);
                steps++;
                cpu = ProcessCpuSeconds() - cpu0;
            }
            while (cpu < 3 && steps < 200);
            double train = steps * 16.0 * t / cpu;
            var evalInputs = new int[50 * t];
            int passes = 0;
            cpu0 = ProcessCpuSeconds();
            do
            {
                m.Forward(evalInputs, 50);
                m.LayerActivations(50);
                passes++;
                cpu = ProcessCpuSeconds() - cpu0;
            }
            while (cpu < 2 && passes < 100);
            double eval = passes * 50.0 * t / cpu;
            double flops = 3 * size.ForwardFlopsPerToken(t, 17);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size.Name,-7} params {m.ParameterCount,8}: train {train / 1000,8:F1}k tokens/CPU-s ({train * flops / 1e9,5:F1} GFLOP/CPU-s), features {eval / 1000,8:F1}k tokens/CPU-s"));
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
        var rows = new List<(string Name, int Dim, double Accuracy, double L2, int Iterations, bool Converged, double Seconds)>();
        var order = LinearProbe.HoldOutOrder(train.Count, 0.1);
        foreach (int factor in new[] { 1, 2, 4 })
        {
            var tr = train.Downsample(factor);
            var te = test.Downsample(factor);
            var x = order.SelectMany(i => tr.Image(i).ToArray()).Select(p => p / 255f).ToArray();
            var y = order.Select(i => tr.Labels![i]).ToArray();
            double cpu0 = ProcessCpuSeconds();
            var r = LinearProbe.Run(x, y, te.Pixels.Select(p => p / 255f).ToArray(), te.Labels, tr.PixelsPerImage, 10);
            double cpu = ProcessCpuSeconds() - cpu0;
            rows.Add(($"raw pixels {tr.Rows}x{tr.Cols}", tr.PixelsPerImage, r.TestAccuracy, r.L2, r.Iterations, r.Converged, cpu));
            double gflop = 4.0 * 0.9 * train.Count * tr.PixelsPerImage * 10 * r.Iterations / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rows[^1].Name}: accuracy {r.TestAccuracy:P2} (λ {r.L2:G2}, validation {r.ValidationAccuracy:P2}), {r.Iterations} L-BFGS iterations, converged {r.Converged}, {cpu:F1} CPU-s (≈ {gflop / cpu:F1} GFLOP/CPU-s)"));
        }
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string commit = VisionGitCommit();
        string machine = $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        Directory.CreateDirectory("docs/bench");
        string stem = $"docs/bench/{date}-vision-probe";
        using (var tsv = new StreamWriter(stem + ".tsv"))
        {
            tsv.WriteLine("features\tdim\ttest_accuracy\tl2\titerations\tconverged\tcpu_seconds");
            foreach (var r in rows)
            {
                tsv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name}\t{r.Dim}\t{r.Accuracy:F4}\t{r.L2:G2}\t{r.Iterations}\t{r.Converged}\t{r.Seconds:F2}"));
            }
        }
        using (var md = new StreamWriter(stem + ".md"))
        {
            md.WriteLine($"# Raw-pixel linear probes, MNIST t10k split 8000 train / 2000 test\n\n- date: {date}\n- machine: {machine}, shared with other jobs\n- runtime: .NET {Environment.Version}\n- commit: {commit}\n- probe: LinearProbe defaults (L-BFGS to max |gradient| ≤ 1e-5, λ chosen on an evenly spaced 10% of the training rows)\n");
            md.WriteLine("| features | dim | test accuracy | λ | L-BFGS iterations | converged | CPU-s |\n|---|---:|---:|---:|---:|---|---:|");
            foreach (var r in rows)
            {
                md.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Dim} | {r.Accuracy:P2} | {r.L2:G2} | {r.Iterations} | {r.Converged} | {r.Seconds:F1} |"));
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
