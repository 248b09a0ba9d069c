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
        suites["neural-matmul"] = ("matmul GFLOP/s per thread-CPU-second (A·B, Aᵀ·B, A·Bᵀ) vs the measured peak FMA rate [OUTDIR]", NeuralBench.MatMul);
        suites["neural-train"] = ("training tokens per CPU-second (iGPT, nn and byte shapes) vs peak; 1 vs 2 threads [OUTDIR] [--baseline TSV] [--seconds S] [--only NAME] [--name STEM]", NeuralBench.Train);
        suites["neural-compress"] = ("nn / cm+nn compression: bytes per CPU-second, 1 vs 2 threads (wall) [OUTDIR] [--baseline TSV] [--bytes N] [--level L] [--input FILE] [--name STEM]", NeuralBench.Compress);
        suites["neural-threads"] = ("[NAME [SECONDS]] where 2 threads lose: serial CPU, parallel regions and their balance per step (CPU times; valid on a loaded machine)", NeuralBench.ThreadProfile);
        suites["neural-peak"] = ("peak FMA GFLOP/s of one core per thread-CPU-second and per wall second, Vector256 and Vector512 chains", NeuralBench.PeakReport);
        suites["neural-kernels"] = ("[B T C NH V [FILTER] [SECONDS]] ms and GFLOP/s per thread-CPU-second of each kernel of one GPT layer (default: the iGPT shape 16 196 64 4 17)", NeuralBench.KernelProfile);
        suites["neural-step"] = ("[NAME [SECONDS]] thread-CPU ms of forward, backward and update per step of each neural-train shape (1 thread)", NeuralBench.StepProfile);
        suites["neural-quality"] = ("byte model on tinyshakespeare 90/10: learning curve + PNG [DATA_ROOT OUTDIR MINUTES MODEL(gpt|lstm) ...]", NeuralBench.Quality);
    }
}

internal static partial class CpuClock
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    internal static partial int ClockGetTime(int clock, ref Timespec ts);
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

    internal static void Write(string outDir, string name, string md, string tsv)
    {
        Directory.CreateDirectory(outDir);
        string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(outDir, $"{name}-{stamp}.md"), md);
        File.WriteAllText(Path.Combine(outDir, $"{name}-{stamp}.tsv"), tsv);
        Console.WriteLine(md);
        Console.WriteLine($"wrote {outDir}/{name}-{stamp}.md and .tsv");
    }

    // ---------------------------------------------------------------------------------------------------
    // CPU time: thread CPU time (CLOCK_THREAD_CPUTIME_ID) of the calling thread, process CPU time for runs with
    // worker threads. Rates per CPU-second hold on a loaded machine too (a descheduled thread accrues none).
    // ---------------------------------------------------------------------------------------------------
    internal static double ThreadSeconds()
    {
        if (OperatingSystem.IsLinux())
        {
            var ts = default(CpuClock.Timespec);
            if (CpuClock.ClockGetTime(3, ref ts) == 0)
            {
                return ts.Seconds + ts.Nanoseconds * 1e-9;
            }
        }
        return ProcessSeconds();
    }

    internal static double ProcessSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    // Peak single-core FMA rate: 12 independent FMA chains (enough to cover latency × throughput), per thread-CPU-second.
    private static float _sink;

    internal static double PeakGflops(double cpuSeconds, bool wide)
    {
        long iters = 0;
        double t0 = ThreadSeconds();
        double t;
        while ((t = ThreadSeconds() - t0) < cpuSeconds)
        {
            _sink += wide ? Chains512(20000) : Chains256(20000);
            iters += 20000;
        }
        return iters * 12.0 * (wide ? 16 : 8) * 2 / t / 1e9;
    }

    /// <summary>The core's peak: the faster of the Vector256 and (when accelerated) Vector512 FMA chains.</summary>
    internal static double Peak(double cpuSeconds)
    {
        double p = PeakGflops(cpuSeconds, false);
        return Vector512.IsHardwareAccelerated ? Math.Max(p, PeakGflops(cpuSeconds, true)) : p;
    }

    // No calls inside the loop, so all 12 accumulators stay in registers (the SysV ABI saves no vector registers across calls).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float Chains256(int n)
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

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float Chains512(int n)
    {
        var a0 = Vector512.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector512.Create(0.9999999f);
        var c = Vector512.Create(1e-7f);
        for (int i = 0; i < n; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11)[0];
    }

    private enum MatMulKind
    {
        AB,
        AtB,
        ABt,
    }

    // GFLOP/s per thread-CPU-second of C[m,n] += op(A)·op(B) with k = the inner size.
    private static double MatMulGflops(MatMulKind kind, int m, int k, int n, double cpuSeconds, int width)
    {
        float[] a = GC.AllocateArray<float>(m * k, pinned: true), b = GC.AllocateArray<float>(k * n, pinned: true), c = GC.AllocateArray<float>(m * n, pinned: true);
        var r = new Xoshiro256(1);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)r.NextNormal();
        }
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)r.NextNormal();
        }
        int w0 = Kernels.ForcedWidth;
        Kernels.ForcedWidth = width;
        try
        {
            float* ap = Pin.Ptr(a), bp = Pin.Ptr(b), cp = Pin.Ptr(c);
            void Run()
            {
                switch (kind)
                {
                    case MatMulKind.AB: Kernels.MatMulAdd(cp, ap, bp, m, k, n); break;
                    case MatMulKind.AtB: Kernels.MatMulAtAdd(cp, ap, bp, m, k, n); break;
                    default: Kernels.MatMulBtAdd(cp, ap, bp, m, k, n); break;
                }
            }
            Run();   // warm up
            long reps = 0;
            double t0 = ThreadSeconds(), t;
            do
            {
                Run();
                reps++;
            }
            while ((t = ThreadSeconds() - t0) < cpuSeconds);
            return reps * 2.0 * m * k * n / t / 1e9;
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
        var md = new StringBuilder(Header("Neural: matmul vs peak FMA (one thread, per thread-CPU-second)"));
        md.Append("C += op(A)·op(B), fused multiply-add, one accumulator per output (deterministic order). Rates are FLOPs per ");
        md.Append("second of the thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), so a loaded machine slows the wall clock, not the rate. ");
        md.Append("Peak = 12 independent FMA chains (Vector256 and, where accelerated, Vector512; the faster counts), measured ");
        md.Append("right before and after each kernel measurement. Best of 3 rounds.\n\n");
        md.Append("| kernel | m×k×n | SIMD | GFLOP/s per CPU-s | peak GFLOP/s | % of peak |\n|---|---|---|---:|---:|---:|\n");
        var tsv = new StringBuilder("kernel\tm\tk\tn\tsimd\tgflops\tpeak_gflops\tpercent_of_peak\n");
        Peak(0.2);
        var cases = new List<(MatMulKind Kind, int M, int K, int N)>();
        foreach (int n in new[] { 64, 128, 256, 512, 1024 })
        {
            cases.Add((MatMulKind.AB, n, n, n));
        }
        // the training shapes: N = B·T = 3136 rows (iGPT 16 × 196) against C = 64 / 4C = 256, and the weight gradient
        cases.Add((MatMulKind.AB, 3136, 64, 256));
        cases.Add((MatMulKind.ABt, 3136, 256, 64));
        cases.Add((MatMulKind.AtB, 64, 3136, 256));
        cases.Add((MatMulKind.AtB, 256, 256, 256));
        cases.Add((MatMulKind.ABt, 256, 256, 256));
        var widths = new List<(int Forced, string Name)> { (0, NeuralRuntime.SimdPath) };
        if (Vector512.IsHardwareAccelerated && NeuralRuntime.SimdPath.Contains("512", StringComparison.Ordinal))
        {
            widths.Add((256, "vector256+fma"));
        }
        foreach (var (kind, m, k, n) in cases)
        {
            foreach (var (forced, simd) in widths)
            {
                double bestRatio = 0, bestMm = 0, bestPeak = 0;
                for (int round = 0; round < 3; round++)
                {
                    double p1 = Peak(0.1);
                    double mm = MatMulGflops(kind, m, k, n, 0.3, forced);
                    double p2 = Peak(0.1);
                    double peak = (p1 + p2) / 2;
                    if (mm / peak > bestRatio)
                    {
                        bestRatio = mm / peak;
                        bestMm = mm;
                        bestPeak = peak;
                    }
                }
                string name = kind switch { MatMulKind.AB => "A·B", MatMulKind.AtB => "Aᵀ·B", _ => "A·Bᵀ" };
                md.Append(CultureInfo.InvariantCulture, $"| {name} | {m}×{k}×{n} | {simd} | {bestMm:F1} | {bestPeak:F1} | {100 * bestRatio:F0}% |\n");
                tsv.Append(CultureInfo.InvariantCulture, $"{name}\t{m}\t{k}\t{n}\t{simd}\t{bestMm:F2}\t{bestPeak:F2}\t{100 * bestRatio:F1}\n");
            }
        }
        double scalar = MatMulGflops(MatMulKind.AB, 128, 128, 128, 0.3, 1);
        md.Append(CultureInfo.InvariantCulture, $"\nScalar reference (plain triple loop, same bits) at 128³: {scalar:F2} GFLOP/s per CPU-second.\n");
        Write(outDir, "neural-matmul", md.ToString(), tsv.ToString());
        return 0;
    }

    /// <summary>A training shape of the suite: model factory, batch, time, FLOPs per token and trainer options.</summary>
    private sealed record TrainShape(string Name, Func<SequenceModel> Make, int B, int T, double FlopsPerToken, TrainOptions Options);

    // FLOPs per trained token: 6 × (weights used in matmuls, incl. the tied/untied output) + attention
    // (scores and weighted sum, forward 4·T·C, backward 8·T·C per layer; half of it under a causal mask).
    private static double GptFlops(GptConfig c, int T) => 6.0 * (c.Layers * 12.0 * c.Dim * c.Dim + (double)c.VocabSize * c.Dim) + (c.Causal ? 6.0 : 12.0) * T * c.Dim * c.Layers;

    private static double LstmFlops(LstmConfig c) => 6.0 * (c.Layers * 8.0 * c.Hidden * c.Hidden + (double)c.Hidden * c.VocabSize);

    private static TrainShape Gpt(string name, GptConfig c, int B) => new(name, () => new Gpt(c, 1), B, c.Context, GptFlops(c, c.Context), new TrainOptions(1e-3f, 1000, 1));

    private static TrainShape LstmShape(string name, LstmConfig c, int B, bool online) => new(name, () => new Lstm(c, 1), B, c.Context, LstmFlops(c),
        online ? new TrainOptions(0.004f, int.MaxValue, 0, 1f, 0f, 0.9f, 0.999f, 1e-8f, 1f) : new TrainOptions(1e-3f, 1000, 1));

    private static readonly TrainShape[] Shapes =
    [
        Gpt("gpt 1x32 (iGPT, V=17)", new GptConfig(17, 196, 1, 32, 2), 16),
        Gpt("gpt 1x64 (iGPT, V=17)", new GptConfig(17, 196, 1, 64, 4), 16),
        Gpt("gpt 2x64 (iGPT, V=17)", new GptConfig(17, 196, 2, 64, 4), 16),
        Gpt("gpt 4x128 (bytes)", new GptConfig(256, 256, 4, 128, 4), 16),
        LstmShape("lstm h32 (nn step)", new LstmConfig(256, 32, 1, 32), 1, true),
        LstmShape("lstm h128", new LstmConfig(256, 64, 1, 128), 16, false),
        LstmShape("lstm 2x256 t20 (online byte model)", new LstmConfig(256, 20, 2, 256), 1, true),
    ];

    private static int[] BenchSymbols(int vocab) => Enumerable.Range(0, 200_000).Select(i => (int)((i * 7919L + i / 7) % vocab)).ToArray();

    /// <summary>Runs training steps of <paramref name="s"/> for about <paramref name="cpuSeconds"/>; returns (tokens, thread CPU s, process CPU s, wall s).</summary>
    private static (long Tokens, double ThreadCpu, double ProcessCpu, double Wall, float Loss) RunShape(TrainShape s, int threads, double cpuSeconds)
    {
        NeuralRuntime.Threads = threads;
        var m = s.Make();
        var tr = new Trainer(m, s.Options);
        var sampler = new WindowSampler(BenchSymbols(m.VocabSize), s.B, s.T, 1);
        var batches = Enumerable.Range(0, 8).Select(_ => sampler.Next()).ToArray();
        // warm up (allocation, tiered JIT) for a third of the measuring time, at least 2 steps
        double w0 = ThreadSeconds();
        for (int i = 0; i < 2 || ThreadSeconds() - w0 < cpuSeconds / 3; i++)
        {
            tr.TrainStep(batches[i % batches.Length]);
        }
        long tokens = 0;
        float loss = 0;
        double t0 = ThreadSeconds(), p0 = ProcessSeconds();
        var sw = Stopwatch.StartNew();
        int step = 0;
        while (step < 3 || (threads == 1 ? ThreadSeconds() - t0 : ProcessSeconds() - p0) < cpuSeconds)
        {
            loss = tr.TrainStep(batches[step % batches.Length]);
            tokens += (long)s.B * s.T;
            step++;
        }
        return (tokens, ThreadSeconds() - t0, ProcessSeconds() - p0, sw.Elapsed.TotalSeconds, loss);
    }

    private static Dictionary<string, double> ReadBaseline(string? path)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        if (path is null)
        {
            return d;
        }
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length > 4 && f[1] == "1")
            {
                d[f[0]] = double.Parse(f[4], CultureInfo.InvariantCulture);
            }
        }
        return d;
    }

    /// <summary>
    /// neural-train [OUTDIR] [--baseline TSV] [--seconds S] [--only SUBSTRING]: tokens per CPU-second of full training
    /// steps (1 thread, thread CPU time) against the measured peak, and 2 threads by wall clock and process CPU time.
    /// </summary>
    public static int Train(string[] args)
    {
        string outDir = "docs/bench";
        string? baseline = null, only = null, stem = "neural-train";
        double seconds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--baseline": baseline = args[++i]; break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++i]; break;
                case "--name": stem = args[++i]; break;
                default: outDir = args[i]; break;
            }
        }
        var baseRates = ReadBaseline(baseline);
        var md = new StringBuilder(Header("Neural: training throughput per CPU-second"));
        md.Append("Full training steps (zero grads, forward, backward, clip, AdamW) on fixed byte/pixel windows. ");
        md.Append("`tokens/CPU-s` = tokens per second of the thread's own CPU time with 1 thread; `% of peak` = tokens/CPU-s × FLOPs/token ");
        md.Append("against the single-core peak FMA rate measured in the same run (also per thread-CPU-second). FLOPs/token = 6 × matmul weights + ");
        md.Append("attention (6·T·C per causal layer). 2 threads: tokens per wall second and per process-CPU-second (the wall ratio is only ");
        md.Append("meaningful on an idle machine; see the load line). Each thread count runs twice, in the order 1, 2, 2, 1; the run with ");
        md.Append("more tokens per wall second counts.");
        if (baseline is not null)
        {
            md.Append(CultureInfo.InvariantCulture, $" Baseline: `{Path.GetFileName(baseline)}`, the same suite built at the base commit and run in the same command.");
        }
        md.Append("\n\n");
        double peak = Peak(0.5);
        md.Append(CultureInfo.InvariantCulture, $"Peak FMA rate of one core, this run: **{peak:F1} GFLOP/s per CPU-second**.\n\n");
        md.Append("| step | params | B×T | FLOPs/token | tokens/CPU-s (1 thread) | GFLOP/s per CPU-s | % of peak |");
        md.Append(baseline is null ? "" : " baseline tokens/CPU-s | speed-up |");
        md.Append(" 1 thread tokens/s (wall) | 2 threads tokens/s (wall) | 2 threads tokens/CPU-s | 2 / 1 (wall) |\n");
        md.Append("|---|---:|---:|---:|---:|---:|---:|" + (baseline is null ? "" : "---:|---:|") + "---:|---:|---:|---:|\n");
        var tsv = new StringBuilder("step\tthreads\tparams\ttokens\ttokens_per_cpu_s\ttokens_per_wall_s\tthread_cpu_s\tprocess_cpu_s\twall_s\tflops_per_token\tpeak_gflops\tloss_bits\n");
        foreach (var s in Shapes)
        {
            if (only is not null && !s.Name.Contains(only, StringComparison.Ordinal))
            {
                continue;
            }
            // 1, 2, 2, 1 threads: the better run of each thread count counts (a drift of the machine's speed favours neither)
            var one = RunShape(s, 1, seconds);
            var two = RunShape(s, 2, seconds);
            var two2 = RunShape(s, 2, seconds);
            var one2 = RunShape(s, 1, seconds);
            if (two2.Tokens / two2.Wall > two.Tokens / two.Wall)
            {
                two = two2;
            }
            if (one2.Tokens / one2.Wall > one.Tokens / one.Wall)
            {
                one = one2;
            }
            long parameters = s.Make().Parameters.Count;
            double rate1 = one.Tokens / one.ThreadCpu, wall1 = one.Tokens / one.Wall;
            double wall2 = two.Tokens / two.Wall, cpu2 = two.Tokens / two.ProcessCpu;
            double gf = rate1 * s.FlopsPerToken / 1e9;
            md.Append(CultureInfo.InvariantCulture, $"| {s.Name} | {parameters:N0} | {s.B}×{s.T} | {s.FlopsPerToken / 1e3:N0}k | **{rate1:N0}** | {gf:F1} | {100 * gf / peak:F1}% |");
            if (baseline is not null)
            {
                md.Append(baseRates.TryGetValue(s.Name, out double b)
                    ? string.Create(CultureInfo.InvariantCulture, $" {b:N0} | **{rate1 / b:F2}×** |")
                    : " — | — |");
            }
            md.Append(CultureInfo.InvariantCulture, $" {wall1:N0} | {wall2:N0} | {cpu2:N0} | {wall2 / wall1:F2}× |\n");
            foreach (var (th, r) in new[] { (1, one), (2, two) })
            {
                tsv.Append(CultureInfo.InvariantCulture, $"{s.Name}\t{th}\t{parameters}\t{r.Tokens}\t{(th == 1 ? r.Tokens / r.ThreadCpu : r.Tokens / r.ProcessCpu):F1}\t{r.Tokens / r.Wall:F1}\t{r.ThreadCpu:F3}\t{r.ProcessCpu:F3}\t{r.Wall:F3}\t{s.FlopsPerToken:F0}\t{peak:F2}\t{r.Loss / Math.Log(2):F4}\n");
            }
            Console.Error.WriteLine($"{s.Name}: {rate1:N0} tokens/CPU-s, {100 * gf / peak:F1}% of peak; 2 threads {wall2 / wall1:F2}x wall");
        }
        md.Append(CultureInfo.InvariantCulture, $"\nLoad average at the end: {LoadAvg()}.\n");
        Write(outDir, stem, md.ToString(), tsv.ToString());
        return 0;
    }

    /// <summary>
    /// neural-compress [OUTDIR] [--baseline TSV] [--bytes N] [--level L] [--input FILE] [--name STEM]: the online-trained
    /// compressors (<c>nn</c>, <c>cm+nn</c>) in bytes per CPU-second with 1 thread (thread CPU time) and by wall clock with
    /// 1 and 2 threads (same output); default: level 2 on alice29.txt.
    /// </summary>
    public static int Compress(string[] args)
    {
        string outDir = "docs/bench";
        string? baseline = null;
        string stem = "neural-compress";
        int bytes = 100_000;
        int? level = null;
        string? input = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--baseline": baseline = args[++i]; break;
                case "--bytes": bytes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--level": level = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--input": input = args[++i]; break;
                case "--name": stem = args[++i]; break;
                default: outDir = args[i]; break;
            }
        }
        var baseRates = ReadBaseline(baseline);
        string path = input ?? Path.Combine(AppContext.BaseDirectory, "data", "canterbury", "alice29.txt");
        if (!File.Exists(path))
        {
            path = "data/canterbury/alice29.txt";
        }
        byte[] all = File.ReadAllBytes(path);
        byte[] data = all[..Math.Min(bytes, all.Length)];
        var md = new StringBuilder(Header("Neural: online-trained compressors per CPU-second, 1 vs 2 threads"));
        md.Append(CultureInfo.InvariantCulture, $"Input: the first {data.Length:N0} bytes of {(input is null ? "data/canterbury/alice29.txt" : Path.GetFileName(input))}. `bytes/CPU-s` = input bytes per second of the ");
        md.Append("thread's own CPU time with 1 thread; 2 threads by wall clock (meaningful on an idle machine only, see the load) and per process-CPU-second. ");
        md.Append("Each thread count runs twice, in the order 1, 2, 2, 1 (the faster run of each counts), so a drift of the machine's speed ");
        md.Append("during the run does not favour either. The compressed bytes are identical for every run (checked here).");
        if (baseline is not null)
        {
            md.Append(CultureInfo.InvariantCulture, $" Baseline: `{Path.GetFileName(baseline)}`, the same suite at the base commit, same command.");
        }
        md.Append("\n\n| model | level | compressed bytes | bits/byte | bytes/CPU-s (1 thread) |");
        md.Append(baseline is null ? "" : " baseline bytes/CPU-s | speed-up |");
        md.Append(" 1 thread bytes/s (wall) | 2 threads bytes/s (wall) | 2 / 1 (wall) |\n|---|---:|---:|---:|---:|" + (baseline is null ? "" : "---:|---:|") + "---:|---:|---:|\n");
        var tsv = new StringBuilder("step\tthreads\tparams\ttokens\ttokens_per_cpu_s\ttokens_per_wall_s\tthread_cpu_s\tprocess_cpu_s\twall_s\tcompressed\n");
        foreach (var (model, modelLevel) in new[] { ("nn", level ?? 2), ("cm+nn", level ?? 2) })
        {
            byte[]? first = null;
            var rows = new List<(int Threads, double ThreadCpu, double ProcessCpu, double Wall)>();
            foreach (int threads in new[] { 1, 2, 2, 1 })
            {
                NeuralRuntime.Threads = threads;
                var c = Kolmo.Compression.Neural.NeuralCompressors.Compressor(model, modelLevel);
                if (first is null)
                {
                    c.Compress(new MemoryStream(data[..Math.Min(data.Length, 20_000)]), new MemoryStream());   // warm up the JIT
                }
                double t0 = ThreadSeconds(), p0 = ProcessSeconds();
                var sw = Stopwatch.StartNew();
                var ms = new MemoryStream();
                c.Compress(new MemoryStream(data), ms);
                rows.Add((threads, ThreadSeconds() - t0, ProcessSeconds() - p0, sw.Elapsed.TotalSeconds));
                byte[] outBytes = ms.ToArray();
                if (first is null)
                {
                    first = outBytes;
                }
                else if (!first.AsSpan().SequenceEqual(outBytes))
                {
                    throw new InvalidOperationException($"{model}: output differs between 1 and 2 threads");
                }
            }
            string name = $"{model} compress";
            // the faster of the two runs of each thread count
            rows = [.. rows.GroupBy(r => r.Threads).Select(g => g.MinBy(r => r.Wall)).OrderBy(r => r.Threads)];
            double rate1 = data.Length / rows[0].ThreadCpu;
            md.Append(CultureInfo.InvariantCulture, $"| {model} | {modelLevel} | {first!.Length:N0} | {8.0 * first.Length / data.Length:F3} | **{rate1:N0}** |");
            if (baseline is not null)
            {
                md.Append(baseRates.TryGetValue(name, out double b) ? string.Create(CultureInfo.InvariantCulture, $" {b:N0} | **{rate1 / b:F2}×** |") : " — | — |");
            }
            md.Append(CultureInfo.InvariantCulture, $" {data.Length / rows[0].Wall:N0} | {data.Length / rows[1].Wall:N0} | {rows[0].Wall / rows[1].Wall:F2}× |\n");
            foreach (var r in rows)
            {
                tsv.Append(CultureInfo.InvariantCulture, $"{name}\t{r.Threads}\t0\t{data.Length}\t{(r.Threads == 1 ? data.Length / r.ThreadCpu : data.Length / r.ProcessCpu):F1}\t{data.Length / r.Wall:F1}\t{r.ThreadCpu:F3}\t{r.ProcessCpu:F3}\t{r.Wall:F3}\t{first.Length}\n");
            }
            Console.Error.WriteLine($"{model}: {rate1:N0} bytes/CPU-s; 2 threads {rows[0].Wall / rows[1].Wall:F2}x wall");
        }
        md.Append(CultureInfo.InvariantCulture, $"\nLoad average at the end: {LoadAvg()}.\n");
        Write(outDir, stem, md.ToString(), tsv.ToString());
        return 0;
    }

    public static int PeakReport(string[] args)
    {
        for (int round = 0; round < 5; round++)
        {
            foreach (bool wide in Vector512.IsHardwareAccelerated ? new[] { false, true } : new[] { false })
            {
                var sw = Stopwatch.StartNew();
                double t0 = ThreadSeconds();
                double g = PeakGflops(0.5, wide);
                double cpuShare = (ThreadSeconds() - t0) / sw.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vector{(wide ? 512 : 256)}: {g:F1} GFLOP/s per CPU-second, {g * cpuShare:F1} per wall second (load {LoadAvg()})"));
            }
        }
        return 0;
    }

    /// <summary>neural-kernels [B T C NH V [FILTER SECONDS]]: thread-CPU time per kernel call at one GPT layer's shapes (default: the iGPT 1x64 step).</summary>
    public static int KernelProfile(string[] args)
    {
        NeuralRuntime.Threads = 1;
        int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
        int B = Arg(0, 16), T = Arg(1, 196), C = Arg(2, 64), NH = Arg(3, 4), V = Arg(4, 17);
        int N = B * T;
        float[] Buf(int n) => GC.AllocateArray<float>(n, pinned: true);
        float[] x = Buf(N * 4 * C), y = Buf(N * 4 * C), w = Buf(4 * C * Math.Max(C, V)), qkv = Buf(N * 3 * C), att = Buf(B * NH * T * T), dq = Buf(N * 3 * C), mean = Buf(N), rstd = Buf(N), lw = Buf(C), lb = Buf(C), dlw = Buf(C), dlb = Buf(C);
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
        Console.WriteLine($"one layer at B={B} T={T} C={C} NH={NH} V={V}, 1 thread, SIMD {NeuralRuntime.SimdPath}; ms per call per thread-CPU-second, GFLOP/s");
        string? filter = args.Length > 5 ? args[5] : null;
        double seconds = args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : 0.3;
        void Time(string name, double flops, Action f)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.Ordinal))
            {
                return;
            }
            f();
            double t0 = ThreadSeconds(), t;
            int reps = 0;
            double best = double.MaxValue;   // the fastest single call: other processes' cache traffic only slows calls down
            do
            {
                double c0 = ThreadSeconds();
                f();
                best = Math.Min(best, ThreadSeconds() - c0);
                reps++;
            }
            while ((t = ThreadSeconds() - t0) < seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-34} {t * 1e3 / reps,9:F3} ms  {(flops > 0 ? (flops * reps / t / 1e9).ToString("F1", CultureInfo.InvariantCulture) : ""),7}  best {best * 1e3,8:F3} ms"));
        }
        Time("linear fwd N x C -> 3C", 2.0 * N * C * 3 * C, () => Kernels.LinearForward(yp, xp, wp, null, N, C, 3 * C));
        Time("linear fwd N x C -> 4C", 2.0 * N * C * 4 * C, () => Kernels.LinearForward(yp, xp, wp, null, N, C, 4 * C));
        Time("linear fwd N x 4C -> C", 2.0 * N * C * 4 * C, () => Kernels.LinearForward(yp, xp, wp, null, N, 4 * C, C));
        Time("linear bwd N x C -> 4C", 4.0 * N * C * 4 * C, () => Kernels.LinearBackward(yp, wp, null, xp, yp, wp, N, C, 4 * C));
        Time("linear bwd N x 4C -> C", 4.0 * N * C * 4 * C, () => Kernels.LinearBackward(yp, wp, null, xp, yp, wp, N, 4 * C, C));
        Time("dinp = dout·Wᵀ  N x 4C <- C", 2.0 * N * C * 4 * C, () => Kernels.MatMulBtAdd(yp, xp, wp, N, C, 4 * C));
        Time("dW = inpᵀ·dout  C x N x 4C", 2.0 * N * C * 4 * C, () => Kernels.MatMulAtAdd(wp, xp, yp, C, N, 4 * C));
        Time("logits N x C -> V (A·Bᵀ)", 2.0 * N * C * V, () => Kernels.MatMulBtAdd(yp, xp, wp, N, C, V));
        Time("attention fwd (causal)", 2.0 * B * T * T * C, () => Kernels.AttentionForward(yp, ap, qp, B, T, C, NH, true));
        Time("attention bwd (causal)", 4.0 * B * T * T * C, () => Kernels.AttentionBackward(dqp, yp, qp, ap, B, T, C, NH, true));
        {
            // the parts of one head's attention (forward), B·NH heads per call
            int hs = C / NH, ls = (T + 31) & ~31;
            float[] sArr = Buf(ls * (T + 7));
            float* sp = Pin.Ptr(sArr);
            Time("  attn S = Q·Kᵀ (LowerC)", 0, () =>
            {
                for (int p = 0; p < B * NH; p++)
                {
                    float* q = qp + (long)(p / NH) * T * 3 * C + (p % NH) * hs;
                    Kernels.MatMulTri(Kernels.Tri.LowerC, false, true, sp, ls, q, 3 * C, q + C, 3 * C, T, hs, T, Kernels.CMode.Overwrite | Kernels.CMode.Padded);
                }
            });
            Time("  attn O = P·V (LowerA)", 0, () =>
            {
                for (int p = 0; p < B * NH; p++)
                {
                    float* q = qp + (long)(p / NH) * T * 3 * C + (p % NH) * hs;
                    Kernels.MatMulTri(Kernels.Tri.LowerA, false, false, yp + (long)(p / NH) * T * C + (p % NH) * hs, C, sp, ls, q + 2 * C, 3 * C, T, T, hs, Kernels.CMode.Overwrite);
                }
            });
            Time("  attn dK += dSᵀ·Q (UpperA)", 0, () =>
            {
                for (int p = 0; p < B * NH; p++)
                {
                    float* q = qp + (long)(p / NH) * T * 3 * C + (p % NH) * hs;
                    Kernels.MatMulTri(Kernels.Tri.UpperA, true, false, dqp + (long)(p / NH) * T * 3 * C + C + (p % NH) * hs, 3 * C, sp, ls, q, 3 * C, T, T, hs);
                }
            });
        }
        Time("gelu fwd N x 4C", 0, () => Kernels.GeluForward(yp, xp, N * 4 * C));
        Time("gelu bwd N x 4C", 0, () => Kernels.GeluBackward(yp, xp, xp, N * 4 * C));
        Time("layernorm fwd", 0, () => Kernels.LayerNormForward(yp, Pin.Ptr(mean), Pin.Ptr(rstd), xp, Pin.Ptr(lw), Pin.Ptr(lb), N, C));
        Time("layernorm bwd", 0, () => Kernels.LayerNormBackward(yp, Pin.Ptr(dlw), Pin.Ptr(dlb), xp, xp, Pin.Ptr(lw), Pin.Ptr(mean), Pin.Ptr(rstd), N, C));
        Time("residual fwd", 0, () => Kernels.ResidualForward(yp, xp, xp, N * C));
        Time("softmax+ce fwd N x V", 0, () => Kernels.SoftmaxCrossEntropyForward(yp, null, xp, null, N, V));
        return 0;
    }

    /// <summary>neural-step [NAME-SUBSTRING] [SECONDS]: thread-CPU milliseconds of forward, backward and update of each
    /// training shape of neural-train (1 thread), to see where a step goes.</summary>
    public static int StepProfile(string[] args)
    {
        NeuralRuntime.Threads = 1;
        string? only = args.Length > 0 && args[0].Length > 0 ? args[0] : null;
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        Console.WriteLine("step phases, 1 thread, ms per step per thread-CPU-second");
        foreach (var s in Shapes)
        {
            if (only is not null && !s.Name.Contains(only, StringComparison.Ordinal))
            {
                continue;
            }
            var m = s.Make();
            var tr = new Trainer(m, s.Options);
            var batch = new WindowSampler(BenchSymbols(m.VocabSize), s.B, s.T, 1).Next();
            double f = 0, b = 0, u = 0;
            int steps = 0;
            for (int i = 0; i < 2; i++)
            {
                tr.TrainStep(batch);
            }
            while (f + b + u < seconds || steps < 3)
            {
                double t0 = ThreadSeconds();
                m.Forward(batch.Inputs, batch.Targets, batch.BatchSize, batch.Time, batch.Weights);
                double t1 = ThreadSeconds();
                m.Backward();
                double t2 = ThreadSeconds();
                tr.Update(1e-4f);
                double t3 = ThreadSeconds();
                f += t1 - t0;
                b += t2 - t1;
                u += t3 - t2;
                steps++;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Name,-36} forward {1e3 * f / steps,8:F2}  backward {1e3 * b / steps,8:F2}  update {1e3 * u / steps,7:F2}  ({s.B * s.T * steps / (f + b + u):N0} tokens/CPU-s)"));
        }
        return 0;
    }

    /// <summary>
    /// neural-threads [NAME-SUBSTRING] [SECONDS]: for each training shape, the thread-CPU time of a 1-thread step against a
    /// 2-thread step taken apart: the calling thread's serial CPU (outside parallel regions), the CPU of every chunk of every
    /// region, and the wall time those chunks need on two workers handed out in order (the engine's schedule), with the
    /// helper starting 0 or 50 µs late. Every figure is CPU time, so the predicted ratio holds on a loaded machine; it
    /// leaves out memory-bandwidth sharing between two busy cores (the measured wall ratio, on an idle machine, has it).
    /// </summary>
    public static int ThreadProfile(string[] args)
    {
        string? only = args.Length > 0 && args[0].Length > 0 ? args[0] : null;
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        Console.WriteLine("per step, ms of CPU: 1 thread | 2 threads: caller serial, chunk CPU, regions, chunks, makespan (0 / 50 µs helper delay) | predicted 2/1 | 2-thread CPU / 1-thread CPU");
        foreach (var s in Shapes)
        {
            if (only is not null && !s.Name.Contains(only, StringComparison.Ordinal))
            {
                continue;
            }
            var one = RunShape(s, 1, seconds);
            double step1 = one.ThreadCpu / (one.Tokens / (s.B * s.T));
            NeuralRuntime.Threads = 2;
            var m = s.Make();
            var tr = new Trainer(m, s.Options);
            var sampler = new WindowSampler(BenchSymbols(m.VocabSize), s.B, s.T, 1);
            var batches = Enumerable.Range(0, 8).Select(_ => sampler.Next()).ToArray();
            double w0 = ThreadSeconds();
            for (int i = 0; i < 2 || ThreadSeconds() - w0 < seconds / 3; i++)
            {
                tr.TrainStep(batches[i % batches.Length]);
            }
            Par.TraceRegions.Clear();
            Par.TraceClock = ThreadSeconds;
            double caller = 0, process = 0, wall = 0;
            int steps = 0;
            try
            {
                double p0 = ProcessSeconds();
                var sw = Stopwatch.StartNew();
                while (steps < 3 || ProcessSeconds() - p0 < seconds)
                {
                    double c0 = ThreadSeconds();
                    tr.TrainStep(batches[steps % batches.Length]);
                    caller += ThreadSeconds() - c0;
                    steps++;
                }
                process = ProcessSeconds() - p0;
                wall = sw.Elapsed.TotalSeconds;
            }
            finally
            {
                Par.TraceClock = null;
            }
            double chunkCpu = 0, callerChunks = 0, span0 = 0, span50 = 0;
            int chunks = 0;
            foreach (var times in Par.TraceRegions)
            {
                chunks += times.Length;
                foreach (double t in times)
                {
                    chunkCpu += Math.Abs(t);
                    callerChunks += t < 0 ? -t : 0;
                }
                span0 += Makespan(times, 0);
                span50 += Makespan(times, 50e-6);
            }
            double serial = (caller - callerChunks) / steps;
            double regions = (double)Par.TraceRegions.Count / steps;
            double p2a = serial + span0 / steps, p2b = serial + span50 / steps;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Name,-36} {1e3 * step1,8:F2} | serial {1e3 * serial,7:F2}  chunks {1e3 * chunkCpu / steps,8:F2}  regions {regions,4:F0}  chunks {(double)chunks / steps,5:F0}  makespan {1e3 * span0 / steps,7:F2} / {1e3 * span50 / steps,7:F2} | predicted {step1 / p2a:F2}x / {step1 / p2b:F2}x | cpu {process / steps / step1:F2}x | measured wall {one.Wall / (one.Tokens / (s.B * s.T)) / (wall / steps):F2}x (idle machine only)"));
            Par.TraceRegions.Clear();
        }
        return 0;
    }

    // the chunks of one region on two workers, handed out in order to whichever is free first (the helper starts late)
    private static double Makespan(double[] times, double helperDelay)
    {
        double a = 0, b = helperDelay;
        foreach (double t in times)
        {
            if (a <= b)
            {
                a += Math.Abs(t);
            }
            else
            {
                b += Math.Abs(t);
            }
        }
        return Math.Max(a, b);
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
