using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Kolmo.Compression;
using Kolmo.Compression.Neural;

namespace Kolmo.Bench;

/// <summary>
/// Neural-compression suite: <c>nncomp [--data DIR] [--cm-levels 6,9] [--nn-level L] [--skip-nn] [--skip-transfer]
/// [--transfer-nn-bytes N] [--out FOLDER]</c>.
/// <list type="bullet">
/// <item>Compression targets on enwik6 and book1: every <c>cm</c> level given, <c>cm+nn</c> at the best of them, <c>nn</c>;
/// container bytes, bits per byte, seconds and KB/s, speed also as a ratio to the cm run on the same file.</item>
/// <item>Transfer target: the first 100 KB of pride-and-prejudice, alone and after learning the three other English
/// books, for cm and nn (ideal code lengths).</item>
/// </list>
/// Writes <c>docs/bench/nncomp-DATE.md</c> and <c>.tsv</c>.
/// </summary>
public static partial class Program
{
    static partial void RegisterNeuralCompression(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["nncomp"] = ("cm vs cm+nn vs nn on enwik6/book1, transfer between English books -> docs/bench/nncomp-DATE.{md,tsv}", NeuralCompressionSuite);
    }

    private static int NeuralCompressionSuite(string[] args)
    {
        string data = "../shared/data";
        string outDir = "docs/bench";
        int[] cmLevels = [9];
        int nnLevel = NeuralCompressors.DefaultNnLevel;
        bool skipNn = false, skipTransfer = false, skipCompress = false, verify = true;
        long transferSourceBytes = 0;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data": data = args[++i]; break;
                case "--out": outDir = args[++i]; break;
                case "--cm-levels": cmLevels = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--nn-level": nnLevel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--skip-nn": skipNn = true; break;
                case "--skip-transfer": skipTransfer = true; break;
                case "--skip-compress": skipCompress = true; break;
                case "--transfer-source-bytes": transferSourceBytes = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--file": files.Add(args[++i]); break;
                case "--no-verify": verify = false; break;
                default:
                    Console.Error.WriteLine($"nncomp: unknown argument {args[i]}");
                    return 2;
            }
        }
        if (files.Count == 0)
        {
            files.Add(Path.Combine(data, "corpora/enwik/enwik6"));
            files.Add(Path.Combine(data, "corpora/calgary/book1"));
        }
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        var tsv = new StringBuilder("date\tcommit\tpart\tfile\tcompressor\tinput_bytes\toutput_bytes\tbpb\tseconds\tkb_per_s\tspeed_vs_cm\n");
        string commit = NncGit();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Neural compression benchmark, {date}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {NncCpu()}, {System.Environment.ProcessorCount} logical CPUs, shared with other jobs (speeds comparable only within this run). Runtime: {RuntimeInformation.FrameworkDescription}. Commit: `{commit}`. Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        md.AppendLine("Command: `dotnet run --project bench/Kolmo.Bench -c Release -- nncomp " + string.Join(' ', args) + "`.");
        md.AppendLine();
        if (!skipCompress)
        {
            md.AppendLine(verify ? "## Compression (container bytes; round trip checked for every run)" : "## Compression (container bytes; round trips not re-checked here: --no-verify; the tests check them)");
            md.AppendLine();
            md.AppendLine("| file | compressor | bytes | bpb | s | KB/s | speed vs best cm | vs best cm |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (string f in files)
            {
                if (!File.Exists(f))
                {
                    Console.Error.WriteLine($"nncomp: {f} not found");
                    return 2;
                }
                byte[] input = File.ReadAllBytes(f);
                var runs = new List<(string Name, long Bytes, double Seconds)>();
                foreach (int l in cmLevels)
                {
                    if (NncTry($"cm-{l}", () => NeuralCompressors.Compressor("cm", l), input, f, runs, verify) is false)
                    {
                        break;
                    }
                }
                var bestCm = runs.Count > 0 ? runs.MinBy(r => r.Bytes) : default;
                int bestLevel = bestCm.Name is null ? cmLevels[^1] : int.Parse(bestCm.Name[3..], CultureInfo.InvariantCulture);
                NncTry($"cm+nn-{bestLevel}", () => NeuralCompressors.Compressor("cm+nn", bestLevel), input, f, runs, verify);
                if (!skipNn)
                {
                    NncTry($"nn-{nnLevel}", () => NeuralCompressors.Compressor("nn", nnLevel), input, f, runs, verify);
                }
                foreach (var r in runs)
                {
                    double bpb = 8.0 * r.Bytes / input.Length;
                    double kbs = input.Length / 1024.0 / r.Seconds;
                    double speedVsCm = bestCm.Name is null ? double.NaN : bestCm.Seconds / r.Seconds;
                    double sizeVsCm = bestCm.Name is null ? double.NaN : (double)r.Bytes / bestCm.Bytes - 1;
                    md.AppendLine(CultureInfo.InvariantCulture, $"| {Path.GetFileName(f)} | {r.Name} | {r.Bytes} | {bpb:F4} | {r.Seconds:F1} | {kbs:F1} | {speedVsCm:F3} | {100 * sizeVsCm:+0.00;-0.00}% |");
                    tsv.AppendLine(CultureInfo.InvariantCulture, $"{date}\t{commit}\tcompress\t{Path.GetFileName(f)}\t{r.Name}\t{input.Length}\t{r.Bytes}\t{bpb:F5}\t{r.Seconds:F2}\t{kbs:F2}\t{speedVsCm:F4}");
                }
            }
            md.AppendLine();
        }
        if (!skipTransfer)
        {
            string eng = Path.Combine(data, "english");
            string target = Path.Combine(eng, "pride-and-prejudice_pg1342.txt");
            string[] others = ["adventures-of-sherlock-holmes_pg1661.txt", "frankenstein_pg84.txt", "moby-dick_pg2701.txt"];
            byte[] y = File.ReadAllBytes(target)[..100_000];
            var x = others.SelectMany(o => File.ReadAllBytes(Path.Combine(eng, o))).ToArray();
            if (transferSourceBytes > 0 && x.Length > transferSourceBytes)
            {
                x = x[..(int)transferSourceBytes];
            }
            md.AppendLine(CultureInfo.InvariantCulture, $"## Transfer: first 100,000 bytes of pride-and-prejudice after the other three English books ({x.Length:N0} bytes)");
            md.AppendLine();
            md.AppendLine("| model | C(Y) bits | C(Y\\|X) bits | saved | s |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (string name in new[] { "cm", "nn" })
            {
                ConditionalModel m;
                try
                {
                    m = NeuralCompressors.Conditional(name);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"nncomp: transfer {name}: {e.Message}");
                    continue;
                }
                var sw = Stopwatch.StartNew();
                var r = TransferExperiment.Run([m], y, [("english", x)])[0];
                double s = sw.Elapsed.TotalSeconds;
                Console.Error.WriteLine($"nncomp: transfer {name}: saved {100 * r.SavedFraction:F2}%");
                md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {r.AloneBits:F0} | {r.PrimedBits:F0} | {100 * r.SavedFraction:F2}% | {s:F1} |");
                tsv.AppendLine(CultureInfo.InvariantCulture, $"{date}\t{commit}\ttransfer\tpride-and-prejudice[:100000]|english3\t{name}\t{y.Length}\t{r.PrimedBits / 8:F0}\t{r.PrimedBits / y.Length:F5}\t{s:F2}\t\t{r.SavedFraction:F5}");
            }
            md.AppendLine();
        }
        Directory.CreateDirectory(outDir);
        string stem = Path.Combine(outDir, $"nncomp-{date}");
        File.WriteAllText(stem + ".md", md.ToString());
        File.WriteAllText(stem + ".tsv", tsv.ToString());
        Console.WriteLine(md.ToString());
        Console.Error.WriteLine($"nncomp: wrote {stem}.md and {stem}.tsv");
        return 0;
    }

    private static bool NncTry(string name, Func<ICompressor> make, byte[] input, string file, List<(string, long, double)> runs, bool verify)
    {
        ICompressor c;
        try
        {
            c = make();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"nncomp: {name} not available: {e.Message}");
            return false;
        }
        Console.Error.WriteLine($"nncomp: {name} on {Path.GetFileName(file)} ({input.Length} bytes) …");
        var packed = new MemoryStream();
        var sw = Stopwatch.StartNew();
        c.Compress(new MemoryStream(input), packed);
        double s = sw.Elapsed.TotalSeconds;
        if (verify)
        {
            var back = new MemoryStream();
            packed.Position = 0;
            c.Decompress(packed, back);
            if (!back.ToArray().AsSpan().SequenceEqual(input))
            {
                throw new InvalidOperationException($"{name}: round trip failed on {file}");
            }
        }
        Console.Error.WriteLine($"nncomp: {name}: {packed.Length} bytes, {8.0 * packed.Length / input.Length:F4} bpb, {s:F1} s");
        runs.Add((name, packed.Length, s));
        return true;
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
