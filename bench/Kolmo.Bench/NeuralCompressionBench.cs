using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Kolmo.Compression;
using Kolmo.Compression.Neural;
using Kolmo.Modeling;

namespace Kolmo.Bench;

/// <summary>
/// Neural-compression suites: <c>nncomp</c> (the benchmark: nn, cm+nn and cm at every level, tinyshakespeare, transfer;
/// resumable, see <see cref="NeuralCompressionSuite"/>) and <c>nnprobe</c> (design search on a prefix).
/// </summary>
public static partial class Program
{
    static partial void RegisterNeuralCompression(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["nncomp"] = ("[--file F…] [--models cm,nn:4/6,cm+nn] [--levels 1-9] [--verify-levels L] [--anchors lpaq1:9,xz:9,zstd:19] [--parts compress,shakespeare,transfer] [--max-minutes M] [--redo]: resumable (--redo measures cells again; the last row of a cell is the one reported); cells -> docs/bench/nncomp-cells.tsv, report docs/bench/nncomp.md", NeuralCompressionSuite);
        suites["nnprobe"] = ("FILE BYTES SPEC…: prequential bits/byte and CPU-seconds of sequence-model designs on a prefix (design search)", NeuralProbeSuite);
        suites["nnrecord"] = ("FILE SPEC OUT [BYTES]: records a network's per-bit predictions on FILE (for nnmix)", NeuralRecordSuite);
        suites["nnmix"] = ("FILE RECORD LEVEL DESIGN…: cm+nn code lengths with recorded network predictions, per mixer design (k=v,…; 'first'; 'cm' = cm alone)", NeuralMixSuite);
    }

    /// <summary>
    /// Design search: codes the first BYTES of FILE prequentially with each model spec (training every block =
    /// the model's horizon/window) and prints bits/byte overall and per tenth, process CPU-seconds, bytes per
    /// CPU-second and bits/byte per CPU-second of budget. Console only; the chosen designs go to nncomp.
    /// </summary>
    private static int NeuralProbeSuite(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: nnprobe FILE BYTES SPEC [SPEC…]");
            return 2;
        }
        byte[] all = File.ReadAllBytes(args[0]);
        int n = Math.Min(all.Length, int.Parse(args[1], CultureInfo.InvariantCulture));
        byte[] data = all[..n];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {Path.GetFileName(args[0])}[:{n}], simd {LaneWidth.Name}, commit {NncGit()}"));
        Console.WriteLine("spec\tbpb\tcpu_s\tbytes_per_cpu_s\tbpb_by_tenth");
        foreach (string spec in args[2..])
        {
            if (spec.StartsWith("model:", StringComparison.Ordinal))
            {
                // a catalog model: model:NAME:LEVEL (ideal code length through its bit predictions)
                string[] parts = spec.Split(':', 4);
                IByteModel Base(string name, int level) => name == "cmx"
                    ? Kolmo.Modeling.CmModel.Create(level, Kolmo.Modeling.CmModel.Configure(level, null), CmNnModel.ExternalInputs, CmNnModel.ExternalContexts)
                    : ModelCatalog.Create(name, level);
                var byteModel = parts.Length == 4
                    ? new CmNnModel(Base(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)), NnBits(parts[3]))
                    : ModelCatalog.Create(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                double b = ModelCompressor.CodeLength(byteModel, data);
                double c = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spec}\t{b / n:F4}\t{c:F1}\t{n / c:F0}"));
                continue;
            }
            if (spec.StartsWith("frozen:", StringComparison.Ordinal))
            {
                // forward cost only: the model predicts and observes, never trains
                var fm = SequenceModels.Create(spec[7..]);
                var f0 = Process.GetCurrentProcess().TotalProcessorTime;
                double fb = PrequentialCoder.MeasureFrozen(fm, data);
                double fc = (Process.GetCurrentProcess().TotalProcessorTime - f0).TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spec}\t{fb / n:F4}\t{fc:F1}\t{n / fc:F0}"));
                continue;
            }
            var model = SequenceModels.Create(spec);
            var (kind, opts) = SequenceModels.Parse(spec);
            int block = kind switch
            {
                OnlineLstmOptions.Kind => ((OnlineLstm)model).Options.Horizon,
                "order" => 64,
                _ => SequenceModels.GetInt(opts, "t", 32),
            };
            var per = new double[n];
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            double bits = PrequentialCoder.Measure(model, data, block, per);
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var tenths = Enumerable.Range(0, 10).Select(i =>
            {
                int a = n * i / 10, b = n * (i + 1) / 10;
                double s = 0;
                for (int k = a; k < b; k++)
                {
                    s += per[k];
                }
                return (s / Math.Max(1, b - a)).ToString("F3", CultureInfo.InvariantCulture);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model.Spec}\t{bits / n:F4}\t{cpu:F1}\t{n / cpu:F0}\t{string.Join(' ', tenths)}"));
        }
        return 0;
    }

    private const string CellsHeader = "part\tfile\tmodel\tlevel\tinput_bytes\toutput_bytes\tbpb\tcpu_s\tdecompress_cpu_s\tcommit\tdate";

    /// <summary>
    /// <c>nncomp</c>: the neural-compression benchmark, resumable. Every result (a "cell") is appended to the state file
    /// as soon as it is measured, and a rerun skips the cells already there, so the suite can run in chunks
    /// (<c>--max-minutes</c>) through the heavy-job queue; the report is written from the state file after each run.
    /// <list type="bullet">
    /// <item><c>compress</c>: every model of <c>--models</c> at every level of <c>--levels</c> (or its own: <c>nn:4/6</c>) on every file: container
    /// bytes, bits per byte and process CPU-seconds of compression (and of decompression with a byte-exact check for
    /// the levels in <c>--verify-levels</c>), then the outside anchors of <c>--anchors</c> (lpaq1, xz, zstd) on the same file.</item>
    /// <item><c>shakespeare</c>: bits per character of the last 10% of tinyshakespeare after learning the first 90%:
    /// the catalog models primed on it (C(Y | X), still learning while coding Y), the nn network also frozen after
    /// learning X, and bzip2 / lzma / zstd-19 as C(all) − C(first 90%).</item>
    /// <item><c>transfer</c>: the first 100,000 bytes of pride-and-prejudice alone and after the three other English
    /// books, for each model of <c>--models</c> at its default level (or its own).</item>
    /// </list>
    /// </summary>
    private static int NeuralCompressionSuite(string[] args)
    {
        string data = "../shared/data";
        string outDir = "docs/bench";
        string? state = null;
        string[] models = ["cm", "nn", "cm+nn"];
        int[] levels = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        int[] verifyLevels = [];
        string[] anchors = ["lpaq1:9", "xz:9", "zstd:19"];
        string[] parts = ["compress", "shakespeare", "transfer"];
        double maxMinutes = double.PositiveInfinity;
        bool redo = false;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data": data = args[++i]; break;
                case "--out": outDir = args[++i]; break;
                case "--state": state = args[++i]; break;
                case "--models": models = args[++i].Split(','); break;
                case "--levels": levels = ParseLevels(args[++i]); break;
                case "--verify-levels": verifyLevels = ParseLevels(args[++i]); break;
                case "--parts": parts = args[++i].Split(','); break;
                case "--file": files.Add(args[++i]); break;
                case "--anchors": anchors = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--max-minutes": maxMinutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--redo": redo = true; break;
                default:
                    Console.Error.WriteLine($"nncomp: unknown argument {args[i]}");
                    return 2;
            }
        }
        if (files.Count == 0)
        {
            files.Add(Path.Combine(data, "corpora/enwik/enwik6"));
            files.Add(Path.Combine(data, "corpora/calgary/book1"));
            files.AddRange(Directory.GetFiles(Path.Combine(data, "english"), "*.txt").Order(StringComparer.Ordinal));
        }
        state ??= Path.Combine(outDir, "nncomp-cells.tsv");
        var done = LoadCells(state);
        var measured = redo ? new Dictionary<(string, string, string, int), string[]>() : done;
        string commit = NncGit(), date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        bool More() => clock.Elapsed.TotalMinutes < maxMinutes;

        void Record(string part, string file, string model, int level, long inBytes, double bits, double cpu, double dcpu)
        {
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{part}\t{file}\t{model}\t{level}\t{inBytes}\t{bits / 8:F0}\t{bits / inBytes:F5}\t{cpu:F2}\t{(double.IsNaN(dcpu) ? "" : dcpu.ToString("F2", CultureInfo.InvariantCulture))}\t{commit}\t{date}");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(state))!);
            if (!File.Exists(state))
            {
                File.WriteAllText(state, CellsHeader + "\n");
            }
            File.AppendAllText(state, line + "\n");
            done[(part, file, model, level)] = line.Split('\t');
            measured[(part, file, model, level)] = done[(part, file, model, level)];
            Console.Error.WriteLine($"nncomp: {line}");
        }

        if (parts.Contains("compress"))
        {
            foreach (string f in files)
            {
                byte[] input = File.ReadAllBytes(f);
                string name = Path.GetFileName(f);
                foreach (var (model, own) in models.Select(ModelLevels))
                {
                    foreach (int level in own ?? levels)
                    {
                        if (measured.ContainsKey(("compress", name, model, level)) || !More())
                        {
                            continue;
                        }
                        var c = NeuralCompressors.Compressor(model, level);
                        Console.Error.WriteLine($"nncomp: {model} -{level} on {name} ({input.Length} bytes) …");
                        double cpu = Cpu(() => c.CompressBytes(input), out byte[] packed);
                        double dcpu = double.NaN;
                        if (verifyLevels.Contains(level))
                        {
                            dcpu = Cpu(() => c.DecompressBytes(packed), out byte[] back);
                            if (!back.AsSpan().SequenceEqual(input))
                            {
                                throw new InvalidOperationException($"{model} -{level}: round trip failed on {name}");
                            }
                        }
                        Record("compress", name, model, level, input.Length, packed.Length * 8.0, cpu, dcpu);
                    }
                }
                foreach (var (tool, level) in anchors.Select(a => (a.Split(':')[0], int.Parse(a.Split(':')[1], CultureInfo.InvariantCulture))))
                {
                    if (!measured.ContainsKey(("compress", name, tool, level)) && More())
                    {
                        var (bytes, cpu) = RunAnchor(tool, level, f, Path.Combine(data, "..", "anchors"));
                        Record("compress", name, tool, level, input.Length, bytes * 8.0, cpu, double.NaN);
                    }
                }
            }
        }

        if (parts.Contains("shakespeare"))
        {
            byte[] all = File.ReadAllBytes(Path.Combine(data, "corpora/tinyshakespeare/input.txt"));
            int cut = (int)(all.LongLength * 9 / 10);
            byte[] x = all[..cut], y = all[cut..];
            const string file = "tinyshakespeare[90%:]";
            foreach (var codec in Kolmo.Compression.Panel.StandardPanel.Create().Where(p => p.Name is "bzip2" or "lzma" or "zstd-19"))
            {
                if (!measured.ContainsKey(("shakespeare", file, codec.Name, 0)) && More())
                {
                    double bits = 0;
                    double cpu = Cpu(() => bits = codec.CompressedBits(all) - codec.CompressedBits(x), out _);
                    Record("shakespeare", file, codec.Name, 0, y.Length, bits, cpu, double.NaN);
                }
            }
            foreach (var (model, own) in models.Select(ModelLevels))
            {
                foreach (int level in own ?? ShakespeareLevels(model))
                {
                    if (!measured.ContainsKey(("shakespeare", file, model, level)) && More())
                    {
                        double bits = 0;
                        double cpu = Cpu(() => bits = NeuralCompressors.Compressor(model, level, new DataPrior(x)).CompressedBits(y), out _);
                        Record("shakespeare", file, model, level, y.Length, bits, cpu, double.NaN);
                    }
                    if (model == "nn" && !measured.ContainsKey(("shakespeare", file, "nn-frozen", level)) && More())
                    {
                        // the network trained on X, then scored on Y without learning
                        double bits = 0;
                        double cpu = Cpu(() =>
                        {
                            var net = SequenceModels.Create(NeuralCompressors.NnSpec(level));
                            PrequentialCoder.Train(net, x, NeuralCompressors.NnHorizon(level));
                            bits = PrequentialCoder.MeasureFrozen(net, y);
                        }, out _);
                        Record("shakespeare", file, "nn-frozen", level, y.Length, bits, cpu, double.NaN);
                    }
                }
            }
        }

        if (parts.Contains("transfer"))
        {
            string eng = Path.Combine(data, "english");
            byte[] y = File.ReadAllBytes(Path.Combine(eng, "pride-and-prejudice_pg1342.txt"))[..100_000];
            byte[] x = [.. new[] { "adventures-of-sherlock-holmes_pg1661.txt", "frankenstein_pg84.txt", "moby-dick_pg2701.txt" }
                .SelectMany(o => File.ReadAllBytes(Path.Combine(eng, o)))];
            foreach (var (model, own) in models.Select(ModelLevels))
            {
                foreach (int level in own ?? [ModelCatalog.Find(model).DefaultLevel])
                {
                    foreach (bool primed in new[] { false, true })
                    {
                        string file = primed ? "pride[:100000]|3 books" : "pride[:100000]";
                        if (!measured.ContainsKey(("transfer", file, model, level)) && More())
                        {
                            double bits = 0;
                            double cpu = Cpu(() => bits = NeuralCompressors.Compressor(model, level, primed ? new DataPrior(x) : null).CompressedBits(y), out _);
                            Record("transfer", file, model, level, y.Length, bits, cpu, double.NaN);
                        }
                    }
                }
            }
        }

        WriteNncompReport(outDir, state, done, args);
        return 0;
    }

    private static int[] ShakespeareLevels(string model) => model switch
    {
        "nn" => [NeuralCompressors.DefaultNnLevel, 9],
        "cm+nn" => [NeuralCompressors.DefaultCmNnLevel, 9],
        _ => [6, 9],
    };

    /// <summary>
    /// Runs an outside compressor on <paramref name="file"/> (lpaq1 built by the <c>anchors/lpaq1/build</c> script beside the data folder,
    /// <c>xz -LEVEL -e</c>, <c>zstd --ultra -LEVEL</c>) under <c>/usr/bin/time</c>: compressed bytes and the child's
    /// user + system CPU-seconds.
    /// </summary>
    private static (long Bytes, double Cpu) RunAnchor(string tool, int level, string file, string anchorDir)
    {
        string tmp = Path.Combine(Path.GetTempPath(), $"nncomp-{Environment.ProcessId}-{tool}");
        string times = tmp + ".time";
        string cmd = tool switch
        {
            "lpaq1" => $"'{BuildLpaq1(anchorDir)}' {level} '{file}' '{tmp}'",
            "xz" => $"xz -{level}e -c '{file}' > '{tmp}'",
            "zstd" => $"zstd -q --ultra -{level} -c '{file}' > '{tmp}'",
            _ => throw new ArgumentException($"unknown anchor {tool} (lpaq1, xz, zstd)"),
        };
        var psi = new ProcessStartInfo("/usr/bin/time", ["-f", "%U %S", "-o", times, "sh", "-c", cmd]) { RedirectStandardOutput = true };
        using (var p = Process.Start(psi)!)
        {
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} -{level} failed on {file} (exit {p.ExitCode})");
            }
        }
        double[] t = [.. File.ReadAllLines(times)[^1].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        long bytes = new FileInfo(tmp).Length;
        File.Delete(tmp);
        File.Delete(times);
        return (bytes, t[0] + t[1]);
    }

    /// <summary>Builds lpaq1 with its anchor script (not timed) and returns the program's path.</summary>
    private static string BuildLpaq1(string anchorDir)
    {
        var psi = new ProcessStartInfo(Path.Combine(anchorDir, "lpaq1", "build")) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string path = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? path : throw new InvalidOperationException($"lpaq1 build failed (exit {p.ExitCode})");
    }

    /// <summary>A <c>--models</c> entry: <c>NAME</c> (the suite's levels) or <c>NAME:L/L…</c> (its own levels, in order).</summary>
    private static (string Model, int[]? Levels) ModelLevels(string entry)
    {
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (entry, null) : (entry[..colon], ParseLevels(entry[(colon + 1)..].Replace('/', ',')));
    }

    private static int[] ParseLevels(string s) => [.. s.Split(',').SelectMany(p =>
    {
        int dash = p.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return [int.Parse(p, CultureInfo.InvariantCulture)];
        }
        int a = int.Parse(p[..dash], CultureInfo.InvariantCulture), b = int.Parse(p[(dash + 1)..], CultureInfo.InvariantCulture);
        return Enumerable.Range(a, b - a + 1);
    })];

    /// <summary>Process CPU-seconds (user + system, all threads) spent in <paramref name="work"/>.</summary>
    private static double Cpu<T>(Func<T> work, out T result)
    {
        var p = Process.GetCurrentProcess();
        var t0 = p.TotalProcessorTime;
        result = work();
        p.Refresh();
        return (p.TotalProcessorTime - t0).TotalSeconds;
    }

    private static double Cpu(Action work, out object? result)
    {
        result = null;
        return Cpu(() =>
        {
            work();
            return 0;
        }, out _);
    }

    private static Dictionary<(string, string, string, int), string[]> LoadCells(string state)
    {
        var d = new Dictionary<(string, string, string, int), string[]>();
        if (File.Exists(state))
        {
            foreach (string line in File.ReadLines(state).Skip(1).Where(l => l.Length > 0))
            {
                string[] f = line.Split('\t');
                d[(f[0], f[1], f[2], int.Parse(f[3], CultureInfo.InvariantCulture))] = f;
            }
        }
        return d;
    }

    /// <summary>lstm-compress's published results (B. Knoll; figures as quoted with the targets; not run here).</summary>
    private static readonly Dictionary<string, double> LstmCompressPublished = new(StringComparer.Ordinal) { ["enwik6"] = 1.847, ["book1"] = 2.199 };

    private static void WriteNncompReport(string outDir, string state, Dictionary<(string, string, string, int), string[]> cells, string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Neural compression benchmark (`nncomp`)");
        md.AppendLine();
        md.AppendLine(inv, $"Machine: {NncCpu()}, {System.Environment.ProcessorCount} logical CPUs shared with other jobs; speeds are process CPU-seconds (not wall time). Runtime: {RuntimeInformation.FrameworkDescription}, SIMD {LaneWidth.Name}. Cells come from the state file `{Path.GetFileName(state)}` (each row records its commit and date); last command: `nncomp {string.Join(' ', args)}`.");
        md.AppendLine();
        var compress = cells.Values.Where(c => c[0] == "compress").ToList();
        if (compress.Count > 0)
        {
            md.AppendLine("## Compression: bits per byte (container bytes) and CPU-seconds to compress");
            md.AppendLine();
            foreach (var byFile in compress.GroupBy(c => c[1]).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var cm6 = byFile.FirstOrDefault(c => c[2] == "cm" && c[3] == "6");
                var cm9 = byFile.FirstOrDefault(c => c[2] == "cm" && c[3] == "9");
                md.AppendLine(inv, $"### {byFile.Key} ({byFile.First()[4]} bytes)");
                md.AppendLine();
                md.AppendLine("| model | level | bytes | bpb | CPU s | × cm -l 6 CPU | vs cm -l 9 size | decompress CPU s | commit |");
                md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
                foreach (var c in byFile.OrderBy(c => c[2] == "cm" ? 0 : c[2] == "nn" ? 1 : 2).ThenBy(c => int.Parse(c[3], inv)))
                {
                    double cpu = double.Parse(c[7], inv);
                    string ratio = cm6 is null ? "" : (cpu / double.Parse(cm6[7], inv)).ToString("F1", inv);
                    string size = cm9 is null ? "" : (100 * (double.Parse(c[5], inv) / double.Parse(cm9[5], inv) - 1)).ToString("+0.00;-0.00", inv) + "%";
                    md.AppendLine(inv, $"| {c[2]} | {c[3]} | {long.Parse(c[5], inv):N0} | {double.Parse(c[6], inv):F4} | {cpu:F1} | {ratio} | {size} | {c[8]} | {c[9]} |");
                }
                if (LstmCompressPublished.TryGetValue(byFile.Key, out double anchor))
                {
                    md.AppendLine(inv, $"| lstm-compress (published; not run here) | | | {anchor:F3} | | | | | |");
                }
                md.AppendLine();
            }
        }
        var sh = cells.Values.Where(c => c[0] == "shakespeare").ToList();
        if (sh.Count > 0)
        {
            md.AppendLine("## Tinyshakespeare: bits per character of the last 10% after the first 90%");
            md.AppendLine();
            md.AppendLine("| model | level | bits/char | CPU s | commit |");
            md.AppendLine("|---|---:|---:|---:|---|");
            foreach (var c in sh.OrderBy(c => double.Parse(c[6], inv)))
            {
                md.AppendLine(inv, $"| {c[2]} | {(c[3] == "0" ? "" : c[3])} | {double.Parse(c[6], inv):F4} | {double.Parse(c[7], inv):F1} | {c[9]} |");
            }
            md.AppendLine();
        }
        var tr = cells.Values.Where(c => c[0] == "transfer").ToList();
        if (tr.Count > 0)
        {
            md.AppendLine("## Transfer: the first 100,000 bytes of pride-and-prejudice, alone and after the three other English books");
            md.AppendLine();
            md.AppendLine("| model | level | C(Y) bits | C(Y\\|X) bits | saved | CPU s (primed) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var g in tr.GroupBy(c => (c[2], c[3])))
            {
                var alone = g.FirstOrDefault(c => !c[1].Contains('|', StringComparison.Ordinal));
                var primed = g.FirstOrDefault(c => c[1].Contains('|', StringComparison.Ordinal));
                if (alone is null || primed is null)
                {
                    continue;
                }
                double a = double.Parse(alone[5], inv) * 8, p = double.Parse(primed[5], inv) * 8;
                md.AppendLine(inv, $"| {g.Key.Item1} | {g.Key.Item2} | {a:F0} | {p:F0} | {100 * (a - p) / a:F2}% | {double.Parse(primed[7], inv):F1} |");
            }
            md.AppendLine();
        }
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, "nncomp.md");
        File.WriteAllText(path, md.ToString());
        Console.WriteLine(md.ToString());
        Console.Error.WriteLine($"nncomp: wrote {path} (cells in {state})");
    }
    /// <summary>
    /// <c>nnrecord</c>: runs the network of SPEC over FILE (or its first BYTES) as <c>cm+nn</c> would and records, per
    /// bit, what <see cref="CmNnModel"/> reads from it (P(1), the expected byte and its probability). The network learns
    /// from the bytes alone, so <c>nnmix</c> can then try mixer designs on the whole file at CM's cost.
    /// </summary>
    private static int NeuralRecordSuite(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: nnrecord FILE SPEC OUT [BYTES]");
            return 2;
        }
        byte[] data = File.ReadAllBytes(args[0]);
        if (args.Length > 3)
        {
            data = data[..Math.Min(data.Length, int.Parse(args[3], CultureInfo.InvariantCulture))];
        }
        var net = NnBits(args[1]);
        int bits = data.Length * 8;
        var rec = new NetworkRecord(new ushort[bits + 1], new int[bits + 1], new byte[bits + 1]);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        double cost = 0;
        int i = 0;
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                int bit = (b >> k) & 1;
                int p = net.P();
                rec.P[i] = (ushort)p;
                rec.Top[i] = net.TopProbability16;
                rec.Expected[i] = (byte)net.ExpectedByte;
                cost -= Math.Log2((bit == 1 ? p : 65536 - p) / 65536.0);
                net.Update(bit);
                i++;
            }
        }
        rec.P[i] = (ushort)net.P();
        rec.Top[i] = net.TopProbability16;
        rec.Expected[i] = (byte)net.ExpectedByte;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        rec.Write(args[2]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(args[0])}[:{data.Length}] {args[1]}: {cost / data.Length:F4} bits/byte ({cost / 8:F0} bytes), {cpu:F1} CPU-s, commit {NncGit()}"));
        return 0;
    }

    /// <summary>
    /// <c>nnmix</c>: ideal code lengths of <c>cm+nn</c> at LEVEL on FILE with the network's predictions replayed from
    /// RECORD (<c>nnrecord</c>), for each mixer DESIGN (<see cref="CmNnOptions.Parse"/>; <c>first</c> = layout 2's;
    /// <c>cm</c> = CM alone).
    /// </summary>
    private static int NeuralMixSuite(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: nnmix FILE RECORD LEVEL DESIGN [DESIGN…]");
            return 2;
        }
        byte[] data = File.ReadAllBytes(args[0]);
        var rec = NetworkRecord.Read(args[1]);
        data = data[..Math.Min(data.Length, (rec.P.Length - 1) / 8)];
        int level = int.Parse(args[2], CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {Path.GetFileName(args[0])}[:{data.Length}] cm level {level}, record {Path.GetFileName(args[1])}, commit {NncGit()}"));
        Console.WriteLine("design	bpb	bytes	cpu_s");
        foreach (string design in args[3..])
        {
            IByteModel model;
            if (design == "cm")
            {
                model = ModelCatalog.Create("cm", level);
            }
            else
            {
                var o = design == "first" ? CmNnOptions.First : CmNnOptions.Parse(design);
                var cm = CmModel.Create(level, CmModel.Configure(level, null), o.CmInputs, o.CmContexts);
                model = new CmNnModel(cm, new ReplayedNetwork(rec), o);
            }
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            double b = ModelCompressor.CodeLength(model, data);
            double c = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{design}	{b / data.Length:F4}	{b / 8:F0}	{c:F1}"));
        }
        return 0;
    }

    private sealed record NetworkRecord(ushort[] P, int[] Top, byte[] Expected)
    {
        public void Write(string path)
        {
            using var w = new BinaryWriter(File.Create(path));
            w.Write(P.Length);
            foreach (ushort v in P)
            {
                w.Write(v);
            }
            foreach (int v in Top)
            {
                w.Write(v);
            }
            w.Write(Expected);
        }

        public static NetworkRecord Read(string path)
        {
            using var r = new BinaryReader(File.OpenRead(path));
            int n = r.ReadInt32();
            var p = new ushort[n];
            var top = new int[n];
            for (int i = 0; i < n; i++)
            {
                p[i] = r.ReadUInt16();
            }
            for (int i = 0; i < n; i++)
            {
                top[i] = r.ReadInt32();
            }
            return new NetworkRecord(p, top, r.ReadBytes(n));
        }
    }

    /// <summary>A network's recorded predictions, replayed bit by bit (the bits must be the recorded file's).</summary>
    private sealed class ReplayedNetwork(NetworkRecord rec) : INetworkBitPredictor
    {
        private int _i;

        public string Name => "replay";

        public long MemoryBytes => 0;

        public int ExpectedByte => rec.Expected[_i];

        public int TopProbability16 => rec.Top[_i];

        public int P() => rec.P[_i];

        public void Update(int bit) => _i++;

        public void Prime(ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public IByteModel Clone() => throw new NotSupportedException();
    }

    private static SequenceBitPredictor NnBits(string spec)
    {
        var m = SequenceModels.Create(spec);
        return new SequenceBitPredictor(m, m is OnlineLstm o ? o.Options.Horizon : 32);
    }

    private static string NncGit()
    {
        try
        {
            var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true })!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string NncCpu()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
