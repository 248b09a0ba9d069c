using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kolmo.Coding;
using Kolmo.Compression;
using Kolmo.Compression.Panel;
using Kolmo.Modeling;

namespace Kolmo.Bench;

/// <summary>
/// Suites of the context-mixing model:
/// <list type="bullet">
/// <item><c>cm [--levels 6,9] [--no-xz] [DIR...]</c>: cm at the default and best levels, order3, and the panel
/// (lzma = the xz/7-Zip algorithm, zstd-19, brotli, bzip2) plus the system <c>xz -9e</c> binary when present,
/// on Calgary's 14 classic files and Canterbury, one run → docs/bench/cm-DATE.{md,tsv}.</item>
/// <item><c>cm-quick [--profile P] [--bits N] [--revision N] [--no-decode] LEVEL FILE...</c>: cm model + coder on files (no container): bytes and CPU-seconds, round trip checked; the options are for tuning.</item>
/// </list>
/// </summary>
public static partial class Program
{
    static partial void RegisterCm(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["cm"] = ("cm (default + best level) vs order3, lzma, xz -9e, zstd-19, brotli, bzip2 on Calgary+Canterbury -> docs/bench/cm-DATE.{md,tsv}", CmSuite);
        suites["cm-decode"] = ("cm compress vs decompress thread CPU per file (least of R), optionally two halves at once: cm-decode [--reps R] [--levels 6,9] [--pair] FILE...", CmDecodeSuite);
        suites["cm-segments"] = ("cm container with 1 and N threads: bytes, process and calling-thread CPU, wall: cm-segments [--level L] [--threads N] FILE", CmSegmentsSuite);
        suites["cm-cold"] = ("what a fresh segment model costs: the second half coded after the first and fresh, per chunk: cm-cold [--level L] [--chunk BYTES] FILE", CmColdSuite);
        suites["cm-quick"] = ("cm model + coder on files, bytes and CPU-seconds: cm-quick [--profile P] [--bits N] [--revision N] [--no-decode] LEVEL FILE...", CmQuick);
    }

    private static int CmSuite(string[] args)
    {
        var dirs = new List<string>();
        var levels = new List<int> { CmModel.DefaultLevel, CmOptions.MaxLevel };
        bool xz = true;
        string outDir = "docs/bench";
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--levels" && i + 1 < args.Length)
            {
                levels = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            }
            else if (args[i] == "--no-xz")
            {
                xz = false;
            }
            else if (args[i] == "--out" && i + 1 < args.Length)
            {
                outDir = args[++i];
            }
            else
            {
                dirs.Add(args[i]);
            }
        }
        if (dirs.Count == 0)
        {
            dirs.AddRange(BenchReport.DefaultCorpora);
        }
        var compressors = new List<ICompressor>();
        foreach (int l in levels)
        {
            compressors.Add(new Renamed(new ModelCompressor("cm", l), $"cm-{l}"));
        }
        if (ModelCatalog.All.Any(e => e.Name == "order3"))
        {
            compressors.Add(new ModelCompressor("order3"));
        }
        compressors.Add(new LzmaCodec());
        if (xz && ExternalXz.Available())
        {
            compressors.Add(new ExternalXz());
        }
        compressors.Add(new ZstdCodec(19));
        compressors.Add(new BrotliCodec());
        compressors.Add(new Bzip2Codec());

        var env = MachineInfo();
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        var tsv = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# cm benchmark, {date}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {env.Cpu}, {System.Environment.ProcessorCount} logical CPUs, shared with other jobs (wall-clock speeds are comparable only within this run, as ratios). Runtime: {env.Runtime}. Commit: `{env.Commit}`. Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine("Command: `dotnet run --project bench/Kolmo.Bench -c Release -- cm " + string.Join(' ', args) + "`. Cells: bits per byte (8 × compressed bytes / original; Kolmo models include their `.kolmo` container). `lzma` is the in-process xz/7-Zip algorithm (64 MiB dictionary, 273 fast bytes, as xz -9e); `xz -9e` is the system binary (its time includes starting a process).");
        md.AppendLine();
        bool ok = true;
        foreach (var dir in dirs)
        {
            var files = BenchRunner.FilesIn(dir);
            string corpus = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
            if (corpus == "calgary")
            {
                files = [.. files.Where(f => CalgaryClassic.Contains(Path.GetFileName(f)))];
            }
            var inputs = BenchRunner.Load(files);
            foreach (var c in compressors)
            {
                // Warm-up (JIT) on a small slice, so the first file's timing is not start-up cost.
                BenchRunner.Measure(c, "warm-up", inputs[0].Data.AsSpan(0, Math.Min(inputs[0].Data.Length, 16384)).ToArray());
            }
            Console.Error.WriteLine($"{dir}: {inputs.Count} files, {inputs.Sum(x => (long)x.Data.Length)} bytes");
            var rows = BenchRunner.Run(compressors, inputs, r =>
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.File,-14} {r.Compressor,-10} {r.CompressedBytes,10} {r.BitsPerByte,7:F3} bpb {r.CompressMBps,8:F3} / {r.DecompressMBps,8:F3} MB/s {(r.RoundTrip ? "ok" : "FAILED")}")));
            ok &= rows.All(r => r.RoundTrip);
            md.AppendLine(CultureInfo.InvariantCulture, $"## {corpus} ({inputs.Count} files, {inputs.Sum(x => (long)x.Data.Length):N0} bytes)");
            md.AppendLine();
            md.AppendLine(BenchRunner.ToMarkdown(rows));
            md.AppendLine(Summary(rows, levels));
            BenchReport.AppendTsv(tsv, corpus, rows);
        }
        BenchReport.Write(outDir, $"cm-{date}", date, env, md, tsv);
        return ok ? 0 : 3;
    }

    /// <summary>Target checks for one corpus: totals, speed ratios to lzma, files where cm loses to lzma/xz.</summary>
    private static string Summary(IReadOnlyList<BenchRow> rows, List<int> levels)
    {
        var sb = new StringBuilder();
        var totals = BenchRunner.Totals(rows).ToDictionary(r => r.Compressor);
        var lz = totals["lzma"];
        sb.AppendLine("| compressor | total bpb | compress MB/s | decompress MB/s | compress speed ÷ lzma | decompress ÷ compress | files larger than lzma / xz -9e |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var (name, t) in totals)
        {
            var mine = rows.Where(r => r.Compressor == name).ToList();
            var worse = mine.Where(r =>
                rows.Any(o => o.File == r.File && (o.Compressor == "lzma" || o.Compressor == "xz-9e") && o.CompressedBytes <= r.CompressedBytes && o.Compressor != name))
                .Select(r => r.File).ToList();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {t.BitsPerByte:F3} | {t.CompressMBps:F3} | {t.DecompressMBps:F3} | {t.CompressMBps / lz.CompressMBps:F2} | {t.DecompressMBps / t.CompressMBps:F2} | {(worse.Count == 0 ? "none" : string.Join(", ", worse))} |"));
        }
        return sb.ToString();
    }

    /// <summary>
    /// cm-quick LEVEL FILE…: per file, the cm model alone (no container) encodes then decodes in this process; prints
    /// compressed bytes, bits per byte, and the compress and decompress CPU-seconds of this thread's work, and checks
    /// the round trip. Per-file times exclude start-up and JIT (a 16 KiB warm-up runs first).
    /// </summary>
    private static int CmQuick(string[] args)
    {
        // Tuning options (before the level): --profile ctx=…;sel=…;apms=N, --bits N (hash-table log2), --revision N (an older
        // model revision), --no-decode.
        var options = new CmOptions();
        string? profile = null;
        bool decode = true;
        int a = 0;
        for (; a < args.Length && args[a].StartsWith("--", StringComparison.Ordinal); a++)
        {
            switch (args[a])
            {
                case "--profile":
                    if (a + 1 >= args.Length)
                    {
                        Console.Error.WriteLine("cm-quick: --profile needs key=value;… (docs/CM.md)");
                        return 2;
                    }
                    profile = args[++a];
                    break;
                case "--bits":
                    if (a + 1 >= args.Length || !int.TryParse(args[++a], NumberStyles.None, CultureInfo.InvariantCulture, out int bits)
                        || bits < CmOptions.MinTableBits || bits > CmOptions.MaxTableBits)
                    {
                        Console.Error.WriteLine($"cm-quick: --bits needs a hash-table size log2 {CmOptions.MinTableBits}–{CmOptions.MaxTableBits}");
                        return 2;
                    }
                    options = options with { TableBits = bits };
                    break;
                case "--no-decode":
                    decode = false;
                    break;
                case "--revision":
                    if (a + 1 >= args.Length || !int.TryParse(args[++a], CultureInfo.InvariantCulture, out int revision)
                        || revision < CmOptions.OldestRevision || revision > CmOptions.CurrentRevision)
                    {
                        Console.Error.WriteLine($"cm-quick: --revision needs a model revision {CmOptions.OldestRevision}–{CmOptions.CurrentRevision}");
                        return 2;
                    }
                    options = options with { Revision = revision };
                    break;
                default:
                    Console.Error.WriteLine($"cm-quick: unknown option {args[a]}");
                    return 2;
            }
        }
        if (a >= args.Length || !int.TryParse(args[a], NumberStyles.None, CultureInfo.InvariantCulture, out int level)
            || level < CmOptions.MinLevel || level > CmOptions.MaxLevel)
        {
            Console.Error.WriteLine($"cm-quick: needs a level {CmOptions.MinLevel}–{CmOptions.MaxLevel} before the files");
            return 2;
        }
        if (args[(a + 1)..].FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            Console.Error.WriteLine($"cm-quick: {missing}: no such file");
            return 2;
        }
        options = options with { Level = level };
        if (profile is not null)
        {
            try
            {
                options = options with { ProfileOverride = CmProfile.Parse(profile, options.Profile()) };
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"cm-quick: {e.Message}");
                return 2;
            }
        }
        long totalOut = 0;
        long totalBytes = 0;
        double totalCpu = 0;
        double totalDecode = 0;
        // Warm-up on text-like and binary-like bytes (so tiered compilation and its profile see both), then a pause
        // for the background compiler: the timed runs then use the final code.
        var warm = new byte[65536];
        new Random(1).NextBytes(warm.AsSpan(32768));
        for (int i = 0; i < 32768; i++)
        {
            warm[i] = (byte)"the cat sat on the mat; compression is prediction.\n"[i % 51];
        }
        for (int r = 0; r < 3; r++)
        {
            Code(warm, options, decode);
            Thread.Sleep(150);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# cm level {level}: memory {CmOptions.LevelMemory(level) / (1 << 20)} MiB (formula), file bytes packed bpb compress-cpu-s decompress-cpu-s"));
        foreach (var file in args[(a + 1)..])
        {
            var data = File.ReadAllBytes(file);
            var (packed, cpu, dec) = Code(data, options, decode);
            totalOut += packed;
            totalBytes += data.Length;
            totalCpu += cpu;
            totalDecode += dec;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file),-14} {data.Length,9} {packed,9} {8.0 * packed / data.Length,7:F4} bpb {cpu,7:F2} cpu-s {dec,7:F2} cpu-s"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"TOTAL",-14} {totalBytes,9} {totalOut,9} {8.0 * totalOut / totalBytes,7:F4} bpb {totalCpu,7:F2} cpu-s {totalDecode,7:F2} cpu-s"));
        return 0;

        static (long Packed, double Cpu, double Decode) Code(byte[] data, CmOptions options, bool decode)
        {
            Release();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            CmModel? model = new CmModel(options);
            var packed = new MemoryStream();
            var enc = new ArithmeticEncoder(packed);
            model.Encode(enc, data);
            enc.Flush();
            var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            GC.KeepAlive(model);
            model = null;
            if (!decode)
            {
                return (packed.Length, (cpu1 - cpu0).TotalSeconds, 0);
            }
            Release();   // the encoder's tables go first (a real decoder has only its own model), outside the timing
            var back = new byte[data.Length];
            var input = packed.ToArray();
            var cpuD = Process.GetCurrentProcess().TotalProcessorTime;
            new CmModel(options).Decode(new ArithmeticDecoder(input), back);
            var cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
            if (!back.AsSpan().SequenceEqual(data))
            {
                throw new InvalidOperationException("cm-quick: round trip failed");
            }
            return (packed.Length, (cpu1 - cpu0).TotalSeconds, (cpu2 - cpuD).TotalSeconds);
        }

        static void Release()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
    }

    /// <summary>An <see cref="ICompressor"/> under another name (two levels of one model in one table).</summary>
    private sealed class Renamed(ICompressor inner, string name) : ICompressor
    {
        public string Name => name;

        public long? WindowBytes => inner.WindowBytes;

        public long DecompressorBytes => inner.DecompressorBytes;

        public void Compress(Stream input, Stream output) => inner.Compress(input, output);

        public void Decompress(Stream input, Stream output) => inner.Decompress(input, output);

        public double CompressedBits(ReadOnlySpan<byte> data) => inner.CompressedBits(data);
    }

    /// <summary>The system <c>xz -9e</c> binary as an external reference (process start included in its time).</summary>
    private sealed class ExternalXz : ICompressor
    {
        public string Name => "xz-9e";

        public long? WindowBytes => 64 << 20;

        public long DecompressorBytes => 0;

        public static bool Available() => File.Exists("/usr/bin/xz");

        public void Compress(Stream input, Stream output) => Pipe(["-9e", "-c", "-T1"], input, output);

        public void Decompress(Stream input, Stream output) => Pipe(["-d", "-c"], input, output);

        public double CompressedBits(ReadOnlySpan<byte> data)
        {
            var o = new MemoryStream();
            Compress(new MemoryStream(data.ToArray()), o);
            return o.Length * 8.0;
        }

        private static void Pipe(string[] args, Stream input, Stream output)
        {
            var psi = new ProcessStartInfo("/usr/bin/xz") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var copyOut = p.StandardOutput.BaseStream.CopyToAsync(output);
            input.CopyTo(p.StandardInput.BaseStream);
            p.StandardInput.Close();
            copyOut.Wait();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidDataException($"xz exited with {p.ExitCode}");
            }
        }
    }
}
