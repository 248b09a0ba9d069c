using System.Globalization;
using Kolmo.Coding;
using Kolmo.Modeling;

namespace Kolmo.Bench;

/// <summary>
/// <c>cm-decode [--reps R] [--levels 6,9] [--pair] FILE...</c>: the cm model and coder alone (no container), per level
/// and file: compress and decompress CPU-seconds of the calling thread (CLOCK_THREAD_CPUTIME_ID, so JIT and GC threads
/// and time spent descheduled on a loaded machine are not counted), the least of R alternating repetitions each, and
/// decompress ÷ compress. Every round trip is checked. With <c>--pair</c> each file is also cut in two halves that are
/// coded on two threads at once, then each half alone: how much more CPU one coder needs while another runs beside it
/// (the cost of parallel segments that is not in the work itself: shared cache and memory bandwidth).
/// </summary>
public static partial class Program
{
    private static int CmDecodeSuite(string[] args)
    {
        int reps = 3;
        var levels = new List<int> { CmModel.DefaultLevel, CmOptions.MaxLevel };
        bool pair = false;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reps":
                    reps = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--levels":
                    levels = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--pair":
                    pair = true;
                    break;
                default:
                    files.Add(args[i]);
                    break;
            }
        }
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: cm-decode [--reps R] [--levels 6,9] [--pair] FILE...");
            return 2;
        }
        var warm = new byte[65536];
        new Random(1).NextBytes(warm.AsSpan(32768));
        for (int i = 0; i < 32768; i++)
        {
            warm[i] = (byte)"the cat sat on the mat; compression is prediction.\n"[i % 51];
        }
        Console.WriteLine("# level file bytes packed compress-thread-cpu-s decompress-thread-cpu-s decompress/compress (least of " + reps + ")");
        bool ok = true;
        foreach (int level in levels)
        {
            var options = new CmOptions { Level = level };
            for (int r = 0; r < 3; r++)
            {
                Encode(warm, options);
                Decode(Encode(warm, options).Packed, warm.Length, options);
                Thread.Sleep(150);   // lets the background compiler finish, so the timed runs use the final code
            }
            double sumC = 0, sumD = 0, worst = 0;
            var wholeBytes = new Dictionary<string, int>();
            foreach (var file in files)
            {
                var data = File.ReadAllBytes(file);
                double bestC = double.MaxValue, bestD = double.MaxValue;
                byte[] packed = [];
                for (int r = 0; r < reps; r++)
                {
                    var (p, c) = Encode(data, options);
                    packed = p;
                    var (back, d) = Decode(p, data.Length, options);
                    ok &= back.AsSpan().SequenceEqual(data);
                    bestC = Math.Min(bestC, c);
                    bestD = Math.Min(bestD, d);
                }
                wholeBytes[file] = packed.Length;
                sumC += bestC;
                sumD += bestD;
                worst = Math.Max(worst, bestD / bestC);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{level} {Path.GetFileName(file),-12} {data.Length,9} {packed.Length,9} {bestC,7:F3} {bestD,7:F3} {bestD / bestC,6:F3}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{level} TOTAL {sumC,7:F3} {sumD,7:F3} {sumD / sumC,6:F3} worst-file {worst:F3}"));
            if (pair)
            {
                foreach (var file in files)
                {
                    ok &= Pair(File.ReadAllBytes(file), wholeBytes[file], options, Path.GetFileName(file), level);
                }
            }
        }
        if (!ok)
        {
            Console.Error.WriteLine("cm-decode: a round trip failed");
        }
        return ok ? 0 : 3;
    }

    private static bool Pair(byte[] data, int wholeBytes, CmOptions options, string name, int level)
    {
        int half = data.Length / 2;
        byte[][] halves = [data[..half], data[half..]];
        var packed = new byte[2][];
        var soloC = new double[2];
        var soloD = new double[2];
        bool ok = true;
        for (int k = 0; k < 2; k++)
        {
            (packed[k], soloC[k]) = Encode(halves[k], options);
            var (back, d) = Decode(packed[k], halves[k].Length, options);
            soloD[k] = d;
            ok &= back.AsSpan().SequenceEqual(halves[k]);
        }
        var pairC = new double[2];
        var pairD = new double[2];
        using (var start = new Barrier(2))
        {
            Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
            {
                start.SignalAndWait();
                (_, pairC[k]) = Encode(halves[k], options);
                start.SignalAndWait();
                var (back, d) = Decode(packed[k], halves[k].Length, options);
                pairD[k] = d;
                ok &= back.AsSpan().SequenceEqual(halves[k]);
            });
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{level} {name,-12} halves coded by fresh models: {packed[0].Length + packed[1].Length} bytes against {wholeBytes} in one ({100.0 * (packed[0].Length + packed[1].Length - wholeBytes) / wholeBytes:+0.00;-0.00}%), the first half alone {packed[0].Length}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{level} {name,-12} pair: compress solo {soloC[0] + soloC[1],7:F3} beside each other {pairC[0] + pairC[1],7:F3} ({(pairC[0] + pairC[1]) / (soloC[0] + soloC[1]),5:F3}×); decompress solo {soloD[0] + soloD[1],7:F3} beside each other {pairD[0] + pairD[1],7:F3} ({(pairD[0] + pairD[1]) / (soloD[0] + soloD[1]),5:F3}×)"));
        return ok;
    }

    /// <summary>Encodes with a fresh model; the thread CPU-seconds exclude building the model (its tables are mapped lazily).</summary>
    private static (byte[] Packed, double Cpu) Encode(byte[] data, CmOptions options)
    {
        Release();
        var model = new CmModel(options);
        var output = new MemoryStream();
        double t0 = NeuralBench.ThreadSeconds();
        var enc = new ArithmeticEncoder(output);
        model.Encode(enc, data);
        enc.Flush();
        double t1 = NeuralBench.ThreadSeconds();
        GC.KeepAlive(model);
        return (output.ToArray(), t1 - t0);
    }

    private static (byte[] Data, double Cpu) Decode(byte[] packed, int length, CmOptions options)
    {
        Release();
        var model = new CmModel(options);
        var back = new byte[length];
        double t0 = NeuralBench.ThreadSeconds();
        var dec = new ArithmeticDecoder(packed);
        model.Decode(dec, back);
        dec.CheckEnd();
        double t1 = NeuralBench.ThreadSeconds();
        GC.KeepAlive(model);
        return (back, t1 - t0);
    }

    private static void Release()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}

/// <summary>
/// <c>cm-segments [--level L] [--threads N] [--warmup BYTES] FILE</c>: the whole container path
/// (<see cref="Compression.ModelCompressor"/>) with one thread (one segment) and with N threads (automatic segments,
/// warmed up automatically or with BYTES of the input's head, 0 = cold), compress and decompress, in memory. Per
/// run: bytes, process CPU-seconds, the calling thread's CPU-seconds and wall seconds. With N threads the calling
/// thread only reads segments, keeps their order, hashes and writes; its CPU time is the serial part of the run.
/// Round trips are checked.
/// </summary>
public static partial class Program
{
    private static int CmSegmentsSuite(string[] args)
    {
        int level = CmModel.DefaultLevel;
        int threads = 2;
        long? warmup = null;
        string? file = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--level":
                    level = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--threads":
                    threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = long.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    file = args[i];
                    break;
            }
        }
        if (file is null)
        {
            Console.Error.WriteLine("usage: cm-segments [--level L] [--threads N] [--warmup BYTES] FILE");
            return 2;
        }
        var data = File.ReadAllBytes(file);
        var warm = data.AsSpan(0, Math.Min(data.Length, 1 << 16)).ToArray();
        var baseCompressor = new Compression.ModelCompressor("cm", level);
        Compression.ModelCompressor.Decompress(new MemoryStream(Run(baseCompressor, warm, compress: true, 1).Output), Stream.Null, null);
        Console.WriteLine("# run bytes process-cpu-s calling-thread-cpu-s wall-s");
        bool ok = true;
        foreach (int t in new[] { 1, threads })
        {
            var c = baseCompressor.WithSegments(null, t, warmup: warmup);
            var (packed, cpuC, mainC, wallC) = Run(c, data, compress: true, t);
            long segment = c.SegmentSizeFor(data.Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compress   -T {t} segment {segment,9} warm-up {c.SegmentWarmupFor(segment),8} {packed.Length,10} {cpuC,8:F3} {mainC,8:F3} {wallC,8:F3}"));
            var (back, cpuD, mainD, wallD) = Run(c, packed, compress: false, t);
            ok &= back.AsSpan().SequenceEqual(data);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decompress -T {t}                                    {back.Length,10} {cpuD,8:F3} {mainD,8:F3} {wallD,8:F3}"));
        }
        if (!ok)
        {
            Console.Error.WriteLine("cm-segments: a round trip failed");
        }
        return ok ? 0 : 3;
    }

    private static (byte[] Output, double ProcessCpu, double ThreadCpu, double Wall) Run(Compression.ModelCompressor c, byte[] input, bool compress, int threads)
    {
        Release();
        var output = new MemoryStream();
        var src = new MemoryStream(input, writable: false);
        int gc0 = GC.CollectionCount(0);
        var pause0 = GC.GetTotalPauseDuration();
        double p0 = NeuralBench.ProcessSeconds();
        double t0 = NeuralBench.ThreadSeconds();
        var w = System.Diagnostics.Stopwatch.StartNew();
        if (compress)
        {
            c.Compress(src, output);
        }
        else
        {
            Compression.ModelCompressor.Decompress(src, output, null, null, threads);
        }
        double wall = w.Elapsed.TotalSeconds;
        double t1 = NeuralBench.ThreadSeconds();
        double p1 = NeuralBench.ProcessSeconds();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ({(compress ? "compress" : "decompress")} -T {threads}: {GC.CollectionCount(0) - gc0} collections, {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:F3} s paused)"));
        return (output.ToArray(), p1 - p0, t1 - t0, wall);
    }
}

/// <summary>
/// <c>cm-cold [--level L] [--chunk BYTES] [--prime BYTES] FILE</c>: what a segment's fresh model costs. The file's second
/// half is coded (ideal code length, −Σ log2 p) by a model that has seen the first half and by a fresh one; per chunk of
/// the second half: both costs in bytes and the difference, so one sees whether the fresh model's loss is a start-up
/// transient or lasts through the segment. With <c>--prime</c>, also by a model that has seen only the file's first
/// BYTES (what a segment model primed with the input's head would cost).
/// </summary>
public static partial class Program
{
    private static int CmColdSuite(string[] args)
    {
        int level = CmModel.DefaultLevel;
        int chunk = 1 << 20;
        int prime = 0;
        string? file = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--level":
                    level = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--chunk":
                    chunk = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--prime":
                    prime = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    file = args[i];
                    break;
            }
        }
        if (file is null)
        {
            Console.Error.WriteLine("usage: cm-cold [--level L] [--chunk BYTES] [--prime BYTES] FILE");
            return 2;
        }
        var data = File.ReadAllBytes(file);
        int half = data.Length / 2;
        var options = new CmOptions { Level = level };
        var warm = new CmModel(options);
        warm.Prime(data.AsSpan(0, half));
        var cold = new CmModel(options);
        prime = Math.Min(prime, half);
        CmModel? primed = null;
        if (prime > 0)
        {
            primed = new CmModel(options);
            primed.Prime(data.AsSpan(0, prime));
        }
        Console.WriteLine($"# second half of {Path.GetFileName(file)} ({data.Length - half} bytes from offset {half}), level {level}: chunk start, bytes after the first half, bytes fresh, difference, cumulative difference"
            + (primed is null ? "" : $", bytes after the first {prime}, cumulative difference"));
        double sumWarm = 0, sumCold = 0, sumPrimed = 0;
        for (int at = half; at < data.Length; at += chunk)
        {
            var piece = data.AsSpan(at, Math.Min(chunk, data.Length - at));
            double w = Compression.ModelCompressor.CodeLength(warm, piece) / 8;
            double c = Compression.ModelCompressor.CodeLength(cold, piece) / 8;
            sumWarm += w;
            sumCold += c;
            string line = string.Create(CultureInfo.InvariantCulture, $"{at,10} {w,12:F0} {c,12:F0} {c - w,10:F0} {sumCold - sumWarm,10:F0}");
            if (primed is not null)
            {
                double q = Compression.ModelCompressor.CodeLength(primed, piece) / 8;
                sumPrimed += q;
                line += string.Create(CultureInfo.InvariantCulture, $" {q,12:F0} {sumPrimed - sumWarm,10:F0}");
            }
            Console.WriteLine(line);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total second half: {sumWarm:F0} bytes after the first half, {sumCold:F0} fresh: +{sumCold - sumWarm:F0} ({100 * (sumCold - sumWarm) / sumWarm:F2}% of the half)"));
        if (primed is not null)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"primed with the first {prime} bytes: {sumPrimed:F0}: +{sumPrimed - sumWarm:F0} ({100 * (sumPrimed - sumWarm) / sumWarm:F2}% of the half)"));
        return 0;
    }
}
