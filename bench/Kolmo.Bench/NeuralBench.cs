using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using Kolmo.Neural;
using Kolmo.Reporting;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterNeural(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["neural-matmul"] = ("matmul GFLOP/s at 64..1024 vs this machine's peak FMA rate (interleaved) [OUTDIR]", NeuralBench.MatMul);
        suites["neural-train"] = ("training throughput (tokens/s) of the reference GPT 4x256 ctx 256 and an LSTM [OUTDIR]", NeuralBench.Train);
        suites["neural-kernels"] = ("time per kernel at the GPT 4x128 ctx128 B8 shapes (where a training step goes)", NeuralBench.KernelProfile);
        suites["neural-quality"] = ("byte model on tinyshakespeare 90/10: learning curve + PNG [DATA_ROOT OUTDIR MINUTES MODEL(gpt|lstm) ...]", NeuralBench.Quality);
    }
}

internal static unsafe class NeuralBench
{
    private static string Commit()
    {
        try
        {
            var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, UseShellExecute = false })!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string Cpu()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return (line?.Split(':', 2)[1].Trim() ?? "unknown") + $", {Environment.ProcessorCount} cores";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Header(string title) =>
        $"# {title}\n\n- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n- machine: {Cpu()}\n- runtime: .NET {Environment.Version}, SIMD path {NeuralRuntime.SimdPath}\n- commit: {Commit()}\n" +
        $"- load average at start: {LoadAvg()}\n\n";

    private static string LoadAvg()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static void Write(string outDir, string name, string md, string tsv)
    {
        Directory.CreateDirectory(outDir);
        string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(outDir, $"{name}-{stamp}.md"), md);
        File.WriteAllText(Path.Combine(outDir, $"{name}-{stamp}.tsv"), tsv);
        Console.WriteLine(md);
        Console.WriteLine($"wrote {outDir}/{name}-{stamp}.md and .tsv");
    }

    // Peak single-core FMA rate: 12 independent Vector256 FMA chains (enough to cover latency × throughput).
    private static float _sink;

    private static double PeakGflops(double seconds)
    {
        long iters = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            _sink += Chains(20000);
            iters += 20000;
        }
        return iters * 12.0 * 8 * 2 / sw.Elapsed.TotalSeconds / 1e9;
    }

    // No calls inside the loop, so all 12 accumulators stay in ymm registers (the SysV ABI saves no ymm across calls).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float Chains(int n)
    {
        var a0 = Vector256.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector256.Create(0.9999999f);
        var c = Vector256.Create(1e-7f);
        for (int i = 0; i < n; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11)[0];
    }

    private static double MatMulGflops(int n, double seconds, int width)
    {
        float[] a = GC.AllocateArray<float>(n * n, pinned: true), b = GC.AllocateArray<float>(n * n, pinned: true), c = GC.AllocateArray<float>(n * n, pinned: true);
        var r = new Xoshiro256(1);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)r.NextNormal();
            b[i] = (float)r.NextNormal();
        }
        int w0 = Kernels.ForcedWidth;
        Kernels.ForcedWidth = width;
        try
        {
            fixed (float* ap = a, bp = b, cp = c)
            {
                Kernels.MatMulAdd(cp, ap, bp, n, n, n);   // warm up
                long reps = 0;
                var sw = Stopwatch.StartNew();
                do
                {
                    Kernels.MatMulAdd(cp, ap, bp, n, n, n);
                    reps++;
                }
                while (sw.Elapsed.TotalSeconds < seconds);
                return reps * 2.0 * n * n * n / sw.Elapsed.TotalSeconds / 1e9;
            }
        }
        finally
        {
            Kernels.ForcedWidth = w0;
        }
    }

    public static int MatMul(string[] args)
    {
        string outDir = args.Length > 0 ? args[0] : "docs/bench";
        NeuralRuntime.Threads = 1;
        var md = new StringBuilder(Header("Neural: matmul vs peak FMA (single thread)"));
        md.Append("C[n,n] += A[n,n]·B[n,n], fused multiply-add, one accumulator per output (deterministic order). ");
        md.Append("Peak = 12 independent Vector256 FMA chains, measured right before and after each matmul measurement ");
        md.Append("(the CPU is shared with other developers; the ratio is what counts). Best of 3 rounds per size.\n\n");
        md.Append("| n | matmul GFLOP/s | peak GFLOP/s | % of peak | scalar reference GFLOP/s |\n|---:|---:|---:|---:|---:|\n");
        var tsv = new StringBuilder("n\tmatmul_gflops\tpeak_gflops\tpercent_of_peak\tscalar_gflops\n");
        PeakGflops(0.2);
        foreach (int n in new[] { 64, 128, 256, 512, 1024 })
        {
            double bestRatio = 0, bestMm = 0, bestPeak = 0;
            for (int round = 0; round < 3; round++)
            {
                double p1 = PeakGflops(0.15);
                double mm = MatMulGflops(n, 0.3, 0);
                double p2 = PeakGflops(0.15);
                double peak = (p1 + p2) / 2;
                if (mm / peak > bestRatio)
                {
                    bestRatio = mm / peak;
                    bestMm = mm;
                    bestPeak = peak;
                }
            }
            double scalar = n <= 256 ? MatMulGflops(n, 0.2, 1) : double.NaN;
            md.Append(CultureInfo.InvariantCulture, $"| {n} | {bestMm:F1} | {bestPeak:F1} | {100 * bestRatio:F0}% | {(double.IsNaN(scalar) ? "—" : scalar.ToString("F2", CultureInfo.InvariantCulture))} |\n");
            tsv.Append(CultureInfo.InvariantCulture, $"{n}\t{bestMm:F2}\t{bestPeak:F2}\t{100 * bestRatio:F1}\t{scalar:F3}\n");
        }
        Write(outDir, "neural-matmul", md.ToString(), tsv.ToString());
        return 0;
    }

    public static int Train(string[] args)
    {
        string outDir = args.Length > 0 ? args[0] : "docs/bench";
        var md = new StringBuilder(Header("Neural: training throughput"));
        md.Append("Tokens per second of full training steps (forward + backward + AdamW), random byte windows. ");
        md.Append("The peak FMA rate of one core is measured before each configuration; `est. GFLOP/s` = tokens/s × FLOPs/token, ");
        md.Append("with FLOPs/token ≈ 6·(matmul parameters) + attention, to compare with that peak.\n\n");
        md.Append("| model | params | B×T | threads | steps | tokens/s | peak GFLOP/s (1 core) | est. GFLOP/s | loss check |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        var tsv = new StringBuilder("model\tparams\tbatch\tctx\tthreads\tsteps\ttokens_per_s\tpeak_gflops\test_gflops\n");
        var configs = new (string Name, Func<SequenceModel> Make, int B, int T, int Steps, double FlopsPerToken)[]
        {
            ("gpt 4x256 ctx256", () => new Gpt(new GptConfig(256, 256, 4, 256, 8), 1), 4, 256, 3, 6.0 * (4 * 12 * 256 * 256 + 256 * 256) + 4 * 6.0 * 256 * 256),
            ("gpt 4x128 ctx128", () => new Gpt(new GptConfig(256, 128, 4, 128, 4), 1), 8, 128, 4, 6.0 * (4 * 12 * 128 * 128 + 256 * 128) + 4 * 6.0 * 128 * 128),
            ("lstm 1x256 ctx64", () => new Lstm(new LstmConfig(256, 64, 1, 256), 1), 32, 64, 4, 6.0 * (8 * 256 * 256 + 256 * 256)),
        };
        foreach (var (name, make, B, T, steps, fpt) in configs)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                NeuralRuntime.Threads = threads;
                var m = make();
                var tr = new Trainer(m, new TrainOptions(1e-3f, steps + 1, 1));
                var sampler = new WindowSampler(Enumerable.Range(0, 100_000).Select(i => (i * 7919) % 251).ToArray(), B, T, 1);
                tr.TrainStep(sampler.Next());   // warm up + allocation
                double peak = PeakGflops(0.2);
                var sw = Stopwatch.StartNew();
                float loss = 0;
                for (int s = 0; s < steps; s++)
                {
                    loss = tr.TrainStep(sampler.Next());
                }
                double tps = (double)steps * B * T / sw.Elapsed.TotalSeconds;
                double est = tps * fpt / 1e9;
                md.Append(CultureInfo.InvariantCulture, $"| {name} | {m.Parameters.Count:N0} | {B}×{T} | {threads} | {steps} | {tps:F0} | {peak:F1} | {est:F1} | {loss / Math.Log(2):F2} bits |\n");
                tsv.Append(CultureInfo.InvariantCulture, $"{name}\t{m.Parameters.Count}\t{B}\t{T}\t{threads}\t{steps}\t{tps:F1}\t{peak:F2}\t{est:F2}\n");
            }
        }
        Write(outDir, "neural-train", md.ToString(), tsv.ToString());
        return 0;
    }

    public static int KernelProfile(string[] args)
    {
        NeuralRuntime.Threads = 1;
        const int B = 8, T = 128, C = 128, NH = 4, V = 256;
        int N = B * T;
        float[] Buf(int n) => GC.AllocateArray<float>(n, pinned: true);
        float[] x = Buf(N * 4 * C), y = Buf(N * 4 * C), w = Buf(4 * C * C), qkv = Buf(N * 3 * C), att = Buf(B * NH * T * T), dq = Buf(N * 3 * C), mean = Buf(N), rstd = Buf(N), lw = Buf(C), lb = Buf(C), dlw = Buf(C), dlb = Buf(C);
        var r = new Xoshiro256(1);
        foreach (var a in new[] { x, w, qkv })
        {
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = (float)r.NextNormal() * 0.1f;
            }
        }
        lw.AsSpan().Fill(1);
        float* xp = Pin.Ptr(x), yp = Pin.Ptr(y), wp = Pin.Ptr(w), qp = Pin.Ptr(qkv), ap = Pin.Ptr(att), dqp = Pin.Ptr(dq);
        void Time(string name, Action f)
        {
            f();
            var sw = Stopwatch.StartNew();
            int reps = 0;
            do
            {
                f();
                reps++;
            }
            while (sw.Elapsed.TotalSeconds < 0.3);
            Console.WriteLine($"{name,-40} {sw.Elapsed.TotalMilliseconds / reps,9:F2} ms");
        }
        Time("linear fwd N x C -> 4C", () => Kernels.LinearForward(yp, xp, wp, null, N, C, 4 * C));
        Time("linear bwd N x C -> 4C", () => Kernels.LinearBackward(yp, wp, null, xp, yp, wp, N, C, 4 * C));
        Time("matmulBt only", () => Kernels.MatMulBtAdd(yp, xp, wp, N, 4 * C, C));
        Time("matmulAt only", () => Kernels.MatMulAtAdd(wp, xp, yp, C, N, 4 * C));
        Time("attention fwd", () => Kernels.AttentionForward(yp, ap, qp, B, T, C, NH, true));
        Time("attention bwd", () => Kernels.AttentionBackward(dqp, yp, qp, ap, B, T, C, NH, true));
        Time("gelu fwd N x 4C", () => Kernels.GeluForward(yp, xp, N * 4 * C));
        Time("gelu bwd N x 4C", () => Kernels.GeluBackward(yp, xp, xp, N * 4 * C));
        Time("layernorm fwd", () => Kernels.LayerNormForward(yp, Pin.Ptr(mean), Pin.Ptr(rstd), xp, Pin.Ptr(lw), Pin.Ptr(lb), N, C));
        Time("layernorm bwd", () => Kernels.LayerNormBackward(yp, Pin.Ptr(dlw), Pin.Ptr(dlb), xp, xp, Pin.Ptr(lw), Pin.Ptr(mean), Pin.Ptr(rstd), N, C));
        Time("softmax+ce fwd N x V", () => Kernels.SoftmaxCrossEntropyForward(yp, null, xp, null, N, V));
        Time("peak check: 1 GFLOP-equivalent", () => { });
        return 0;
    }

    public static int Quality(string[] args)
    {
        string root = args.Length > 0 ? args[0] : "../shared/data";
        string outDir = args.Length > 1 ? args[1] : "docs/bench";
        double minutes = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 30;
        string kind = args.Length > 3 ? args[3] : "lstm";
        int layers = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
        int dim = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 256;
        int ctx = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 64;
        int batch = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : 32;
        int steps = args.Length > 8 ? int.Parse(args[8], CultureInfo.InvariantCulture) : 3000;
        float lr = args.Length > 9 ? float.Parse(args[9], CultureInfo.InvariantCulture) : 3e-3f;
        int threads = args.Length > 10 ? int.Parse(args[10], CultureInfo.InvariantCulture) : 1;
        NeuralRuntime.Threads = threads;
        string path = Path.Combine(root, "corpora/tinyshakespeare/input.txt");
        byte[] all = File.ReadAllBytes(path);
        int cut = (int)(all.LongLength * 9 / 10);
        int[] train = all[..cut].Select(b => (int)b).ToArray();
        int[] val = all[cut..].Select(b => (int)b).ToArray();
        int[] valProbe = val[..Math.Min(val.Length, 16384)];

        // baselines of the same run: conditional code length of the last 10% given the first 90%
        var baselines = new List<(string, double)>();
        foreach (var codec in Kolmo.Compression.Panel.StandardPanel.Create())
        {
            if (codec.Name is not ("bzip2" or "lzma" or "zstd-19"))
            {
                continue;
            }
            double cond = codec.CompressedBits(all) - codec.CompressedBits(all.AsSpan(0, cut));
            baselines.Add((codec.Name, cond / val.Length));
        }

        SequenceModel model = kind == "gpt"
            ? new Gpt(new GptConfig(256, ctx, layers, dim, Math.Max(1, dim / 32)), 1)
            : new Lstm(new LstmConfig(256, ctx, layers, dim), 1);
        var tr = new Trainer(model, new TrainOptions(lr, steps, Math.Min(100, steps / 10), WeightDecay: kind == "gpt" ? 0.1f : 0.01f));
        var sampler = new WindowSampler(train, batch, ctx, 7);
        var curve = new StringBuilder("step\ttokens\tseconds\ttrain_bits_ema\tval16k_bits\n");
        var pts = new List<(double Min, double Train, double Val)>();
        var sw = Stopwatch.StartNew();
        double ema = double.NaN;
        int step = 0;
        long tokens = 0;
        double budget = minutes * 60;
        int evalEvery = args.Length > 11 ? int.Parse(args[11], CultureInfo.InvariantCulture) : Math.Max(1, steps / 30);
        var evalClock = new Stopwatch();   // validation probes do not count against the training budget
        for (; step < steps && (sw.Elapsed - evalClock.Elapsed).TotalSeconds < budget; step++)
        {
            // wall-clock schedule (the shared machine's speed is unpredictable): warmup over the first steps, then
            // cosine from lr to lr/10 over the time budget (or over the step count, whichever runs out first)
            double frac = Math.Max((sw.Elapsed - evalClock.Elapsed).TotalSeconds / budget, (double)step / steps);
            float stepLr = step < 50 ? lr * (step + 1) / 50 : (float)(lr * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, frac)))));
            float loss = tr.TrainStep(sampler.Next(), stepLr);
            tokens += (long)batch * ctx;
            double bits = loss / Math.Log(2);
            ema = double.IsNaN(ema) ? bits : 0.98 * ema + 0.02 * bits;
            if ((step + 1) % evalEvery == 0)
            {
                evalClock.Start();
                double v = Evaluator.TotalBits(model, valProbe, 16) / valProbe.Length;
                evalClock.Stop();
                var trainTime = sw.Elapsed - evalClock.Elapsed;
                curve.Append(CultureInfo.InvariantCulture, $"{step + 1}\t{tokens}\t{trainTime.TotalSeconds:F1}\t{ema:F4}\t{v:F4}\n");
                pts.Add((trainTime.TotalMinutes, ema, v));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1} {trainTime.TotalMinutes:F1} min train {ema:F3} val16k {v:F3} bits/char"));
            }
        }
        double trainSeconds = (sw.Elapsed - evalClock.Elapsed).TotalSeconds;
        var ev = Stopwatch.StartNew();
        double valBits = Evaluator.TotalBits(model, val, 16) / val.Length;
        double evalSeconds = ev.Elapsed.TotalSeconds;
        string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(outDir);
        string png = Path.Combine(outDir, $"neural-quality-{stamp}.png");
        double[] at = [.. pts.Select(p => p.Min)];
        var chart = new LineChart($"{kind} {layers}x{dim} ctx {ctx} on tinyshakespeare", "training minutes", "bits per char",
        [
            new ChartSeries("train (EMA)", at, [.. pts.Select(p => p.Train)]),
            new ChartSeries("validation (first 16 KiB of the last 10%)", at, [.. pts.Select(p => p.Val)]),
        ])
        {
            ReferenceLines = [new ReferenceLine(2.4, "target 2.4")],
            Height = 500,
        };
        File.WriteAllBytes(png, Charts.Render(chart));
        var md = new StringBuilder(Header("Neural: byte-level model quality on tinyshakespeare (first 90% → last 10%)"));
        md.Append(CultureInfo.InvariantCulture, $"Model: {kind}, layers {layers}, width {dim}, context {ctx}, batch {batch}, lr {lr}, {model.Parameters.Count:N0} parameters, {threads} thread(s), seed 1. ");
        md.Append(CultureInfo.InvariantCulture, $"Budget {minutes} min of training (validation probes excluded); learning rate: 50 warmup steps, then cosine to lr/10 over the wall-clock budget (or {steps} steps if sooner).\n\n");
        md.Append("| what | bits/char on the last 10% |\n|---|---:|\n");
        md.Append(CultureInfo.InvariantCulture, $"| **{kind} after {step} steps, {tokens:N0} tokens, {trainSeconds / 60:F1} min** | **{valBits:F4}** |\n");
        foreach (var (name, b) in baselines)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {name}: C(all) − C(first 90%) | {b:F4} |\n");
        }
        md.Append(CultureInfo.InvariantCulture, $"| target | 2.4 |\n\nValidation pass: {val.Length:N0} chars in {evalSeconds:F1} s. Learning curve (validation = first 16 KiB of the held-out part):\n\n");
        md.Append("| step | tokens | minutes | train bits (EMA) | val16k bits |\n|---:|---:|---:|---:|---:|\n");
        foreach (var line in curve.ToString().Split('\n').Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            md.Append(CultureInfo.InvariantCulture, $"| {f[0]} | {long.Parse(f[1], CultureInfo.InvariantCulture):N0} | {double.Parse(f[2], CultureInfo.InvariantCulture) / 60:F1} | {f[3]} | {f[4]} |\n");
        }
        md.Append(CultureInfo.InvariantCulture, $"\n![learning curve](neural-quality-{stamp}.png)\n");
        using (var f = File.Create(Path.Combine(outDir, $"neural-quality-{stamp}.bin")))
        {
            model.Save(f);
        }
        Write(outDir, "neural-quality", md.ToString(), curve.ToString());
        return 0;
    }
}
