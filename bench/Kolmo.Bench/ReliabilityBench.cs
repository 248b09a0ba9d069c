using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Kolmo.Compression;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterReliability(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["damage"] = ("every single-bit flip and every truncation of the golden .kolmo files (+ fresh cm/nn/cm+nn files) through 'kolmo d': exit codes", ReliabilityBench.Damage);
        suites["soak"] = ("long stream through 'kolmo c -c | kolmo d -c' child processes, peak memory sampled: soak [--model order3] [--gib 4] [-T N] [--random-every 64]", ReliabilityBench.Soak);
        suites["budgets"] = ("wall time of 'decipher --seconds S' on 20k, 200k and 2M letters, and 'train --max-minutes': budget vs measured", ReliabilityBench.Budgets);
    }
}

/// <summary>Reliability benchmarks (docs/RELIABILITY.md): damage sweep, long-stream soak, time budgets.</summary>
internal static class ReliabilityBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string Repo => Directory.GetCurrentDirectory();

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "Kolmo.Cli.dll");

    /// <summary>
    /// Every single-bit flip and every proper prefix of each file, decoded in-process by the function <c>kolmo d</c>
    /// runs (<c>ModelCompressor.Decompress</c> with the command's priors, one decoding thread), each outcome
    /// mapped to the exit code the command would give (<see cref="Cli.Infrastructure.CliErrors.Handle"/>): refused
    /// with the invalid-data error (exit 2), another error, or accepted (same bytes as the undamaged file, or
    /// different ones). Files: every <c>.kolmo</c> under tests/Golden (all containers and models kept for
    /// compatibility) and fresh cm, nn and cm+nn files.
    /// <c>damage [FILTER] [--shard K/N] [--threads N] [--save DIR] [--cli]</c>: FILTER (comma-separated) picks files by
    /// path or a fresh model (cm, nn, cm+nn; "fresh" for all three); a shard takes every N-th damage from damage K (K from 0 to N − 1:
    /// shards 0/N … N−1/N cover every damage once), so a long sweep runs as several short jobs; damages are decoded on N threads (default: processor count); every damage not refused is
    /// saved to DIR; <c>--cli</c> runs each decode through the whole command line instead (files in /dev/shm, one
    /// thread), which also checks that a refused file leaves no output. Each file's row is printed when it is done.
    /// </summary>
    public static int Damage(string[] args)
    {
        string? shardArg = ArgOrNull(args, "--shard");
        int shard = 0, shards = 1;
        if (shardArg is not null)
        {
            var kn = shardArg.Split('/');
            shard = int.Parse(kn[0], Inv);
            shards = int.Parse(kn[1], Inv);
            if (shards < 1 || shard < 0 || shard >= shards)
            {
                // K = N would silently skip damage 0 of every file (the first bit of its first byte)
                Console.Error.WriteLine($"damage: --shard {shardArg}: K must be in 0..N-1 (shards are numbered from 0)");
                return 1;
            }
        }
        bool viaCli = args.Contains("--cli");
        bool buildEach = args.Contains("--build-models");
        int threads = viaCli ? 1 : int.Parse(Arg(args, "--threads", Environment.ProcessorCount.ToString(Inv)), Inv);
        string? save = ArgOrNull(args, "--save");
        bool trace = args.Contains("--trace");
        if (threads > 1)
        {
            Kolmo.Neural.NeuralRuntime.Threads = 1;   // the damages run in parallel; the engine's own threads only change speed
        }
        string[]? filter = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0].Split(',') : null;
        string golden = Path.Combine(Repo, "tests", "Golden");
        var files = Directory.GetFiles(golden, "*.kolmo", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(golden, f)).Order(StringComparer.Ordinal)
            .Where(f => filter is null || filter.Any(x => f.Contains(x, StringComparison.Ordinal)))
            .Select(f => (Name: f, Bytes: File.ReadAllBytes(Path.Combine(golden, f)))).ToList();
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compression is prediction, and prediction is compression. ", 6)));
        foreach (var (model, level) in new[] { ("cm", 1), ("nn", 1), ("cm+nn", 1) }.Where(m => filter is null || filter.Contains(m.Item1) || filter.Contains("fresh")))
        {
            var ms = new MemoryStream();
            new ModelCompressor(model, level, model == "nn" ? null : 16L << 20, 128).Compress(new MemoryStream(text), ms);
            files.Add(($"fresh {model} ({text.Length} bytes)", ms.ToArray()));
        }
        if (save is not null)
        {
            Directory.CreateDirectory(save);
        }
        string? shm = null;
        Console.WriteLine(string.Create(Inv,
            $"damage sweep{(shards > 1 ? $", shard {shard}/{shards}" : "")}, {(viaCli ? "through the command line ('kolmo d' in-process)" : $"ModelCompressor.Decompress in-process on {threads} threads, {(buildEach ? "each model built anew" : "models built once per file and restored per decode")}")}, commit {Commit()}"));
        Console.WriteLine("| file | bytes | bit flips | refused (exit 2) | truncations | refused (exit 2) | other errors | accepted (same / different output) | CPU s | CPU ms per damage |\n|---|---:|---:|---:|---:|---:|---|---|---:|---:|");
        long allRuns = 0, allRefused = 0;
        var sw = Stopwatch.StartNew();
        using var self = Process.GetCurrentProcess();
        var cpuAll = self.TotalProcessorTime;
        foreach (var (name, bytes) in files)
        {
            // the primed golden file decodes only with its prior (tests/Golden/neural/README.md), given as 'kolmo d --prime-data' gives it
            string? primeData = name.Contains("-primed", StringComparison.Ordinal) ? Path.Combine(golden, "neural", "grammar.lsp") : null;
            Prior[] priors = primeData is null ? [] : [new DataPrior(File.ReadAllBytes(primeData))];
            Func<byte[], DecoderModels?, (int Code, byte[]? Output, string Error)> decodeWith;
            // one model per configuration, restored to its fresh state for each decode instead of built anew (--build-models: built anew)
            var models = viaCli || buildEach ? null : new DecoderModels();
            if (viaCli)
            {
                shm ??= Directory.Exists("/dev/shm")
                    ? Directory.CreateDirectory(Path.Combine("/dev/shm", "kolmo-damage-" + Environment.ProcessId)).FullName
                    : Directory.CreateTempSubdirectory("kolmo-damage-").FullName;
                var cli = CliDecoder(shm, primeData);
                decodeWith = (data, _) => cli(data);
            }
            else
            {
                decodeWith = (data, models) =>
                {
                    var output = new MemoryStream();
                    try
                    {
                        ModelCompressor.Decompress(new MemoryStream(data, writable: false), output, null, priors, 1, models);
                        return (0, output.ToArray(), "");
                    }
                    catch (Exception e)
                    {
                        var message = new StringWriter(Inv);
                        int code = Cli.Infrastructure.CliErrors.Handle(e, message);
                        return (code, null, e.GetType().Name + ": " + message.ToString().Trim());
                    }
                };
            }
            self.Refresh();
            var cpu0 = self.TotalProcessorTime;
            Func<byte[], (int Code, byte[]? Output, string Error)> decode = data => decodeWith(data, models);
            var reference = decodeWith(bytes, null);   // as 'kolmo d' decodes it: the model built for this decode
            if (reference.Code != 0)
            {
                throw new InvalidOperationException($"{name} does not decode: {reference.Error}");
            }
            var cpuDamages = self.TotalProcessorTime;
            int damages = bytes.Length * 9;   // every bit flip, then every proper prefix
            int count = damages <= shard ? 0 : (damages - shard + shards - 1) / shards;
            var outcome = new int[count];          // exit code, or -1: accepted with the right output, -2: accepted with other output
            var errors = new string[count];
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
            {
                if (trace)
                {
                    // one line before each decode, so a damage that kills the process (rather than failing) is named by the last line
                    Console.Error.WriteLine(string.Create(Inv, $"damage: {name}: decoding damage {shard + (j * shards)}"));
                }
                var (code, output, error) = decode(Damaged(bytes, shard + (j * shards)));
                outcome[j] = code != 0 ? code : output is not null && output.AsSpan().SequenceEqual(reference.Output) ? -1 : -2;
                errors[j] = error;
            });
            int flips = 0, cuts = 0, flipsRefused = 0, cutsRefused = 0, same = 0, different = 0;
            var others = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (int j = 0; j < count; j++)
            {
                int k = shard + (j * shards);
                bool flip = k < bytes.Length * 8;
                flips += flip ? 1 : 0;
                cuts += flip ? 0 : 1;
                switch (outcome[j])
                {
                    case Cli.Infrastructure.CliErrors.BadData:
                        flipsRefused += flip ? 1 : 0;
                        cutsRefused += flip ? 0 : 1;
                        continue;
                    case -1:
                        same++;
                        break;
                    case -2:
                        different++;
                        break;
                    default:
                        string kind = $"exit {outcome[j]} ({errors[j].Split(':')[0]})";
                        others[kind] = others.GetValueOrDefault(kind) + 1;
                        break;
                }
                string what = flip ? $"bit {k & 7} of byte {k >> 3} flipped" : $"cut to {k - (bytes.Length * 8)} bytes";
                Console.Error.WriteLine($"damage: {name}: {what}: {(outcome[j] == -1 ? "accepted, same output" : outcome[j] == -2 ? "accepted, different output" : errors[j])}");
                if (save is not null)
                {
                    File.WriteAllBytes(Path.Combine(save, $"{name.Replace('/', '_').Replace(' ', '_')}.{k}.kolmo"), Damaged(bytes, k));
                }
            }
            allRuns += flips + cuts;
            allRefused += flipsRefused + cutsRefused;
            string other = others.Count == 0 ? "none" : string.Join(", ", others.Select(kv => $"{kv.Value}× {kv.Key}"));
            self.Refresh();
            double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
            double msPerDamage = (self.TotalProcessorTime - cpuDamages).TotalMilliseconds / Math.Max(1, count);
            if (models is not null)
            {
                // after thousands of refused decodes, the kept models must still give the undamaged file's output
                var again = decode(bytes);
                if (again.Code != 0 || !again.Output.AsSpan().SequenceEqual(reference.Output))
                {
                    throw new InvalidOperationException($"{name}: decoding with kept models after the damages differs from the first decode ({again.Error})");
                }
            }
            Console.WriteLine(string.Create(Inv,
                $"| {name} | {bytes.Length} | {flips} | {flipsRefused} ({100.0 * flipsRefused / Math.Max(1, flips):F2}%) | {cuts} | {cutsRefused} ({100.0 * cutsRefused / Math.Max(1, cuts):F2}%) | {other} | {same} / {different} | {cpu:F1} | {msPerDamage:F1} |"));
        }
        self.Refresh();
        Console.WriteLine(string.Create(Inv,
            $"\nAll: {allRefused} of {allRuns} damaged files refused with exit 2 ({100.0 * allRefused / Math.Max(1, allRuns):F3}%); {sw.Elapsed.TotalSeconds:F0} s wall, {(self.TotalProcessorTime - cpuAll).TotalSeconds:F0} CPU-s."));
        if (shm is not null)
        {
            Directory.Delete(shm, recursive: true);
        }
        return allRefused == allRuns ? 0 : 1;
    }

    /// <summary>Damage <paramref name="k"/> of <paramref name="bytes"/>: bit k flipped (k &lt; 8 × length), else the prefix of k − 8 × length bytes.</summary>
    private static byte[] Damaged(byte[] bytes, int k)
    {
        if (k < bytes.Length * 8)
        {
            var d = (byte[])bytes.Clone();
            d[k >> 3] ^= (byte)(1 << (k & 7));
            return d;
        }
        return bytes[..(k - (bytes.Length * 8))];
    }

    /// <summary>Decodes through the whole <c>kolmo d</c> command line (one app, files in <paramref name="dir"/>); a refused file must leave no output.</summary>
    private static Func<byte[], (int Code, byte[]? Output, string Error)> CliDecoder(string dir, string? primeData)
    {
        var app = Cli.Program.CreateApp();
        string input = Path.Combine(dir, "in.kolmo");
        string output = Path.Combine(dir, "out");
        string[] prior = primeData is null ? [] : ["--prime-data", primeData];
        return data =>
        {
            File.WriteAllBytes(input, data);
            File.Delete(output);   // a refusal keeps an existing file, so start without one
            var oldErr = Console.Error;
            var oldOut = Console.Out;
            var err = new StringWriter(Inv);
            Console.SetError(err);
            Console.SetOut(TextWriter.Null);
            int code;
            try
            {
                code = app.Run(["d", "-q", "-f", .. prior, input, "-o", output]);
            }
            finally
            {
                Console.SetError(oldErr);
                Console.SetOut(oldOut);
            }
            if (code != 0 && File.Exists(output))
            {
                throw new InvalidOperationException($"a refused decode left an output ({err.ToString().Trim()})");
            }
            return (code, code == 0 ? File.ReadAllBytes(output) : null, err.ToString().Trim());
        };
    }

    private static string Commit()
    {
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    /// <summary>
    /// Streams generated data (text-like and random runs, xoshiro-seeded) through <c>kolmo c -c</c> piped into
    /// <c>kolmo d -c</c> (two child processes), checks the bytes that come back by hash, and samples both processes'
    /// resident memory every few seconds: a flat line means memory does not grow with the stream.
    /// </summary>
    public static int Soak(string[] args)
    {
        string model = Arg(args, "--model", "order3");
        double gib = double.Parse(Arg(args, "--gib", "4"), Inv);
        string? threads = ArgOrNull(args, "-T");
        int randomEvery = int.Parse(Arg(args, "--random-every", "64"), Inv);
        long total = (long)(gib * (1L << 30));
        var cArgs = new List<string> { "c", "-m", model, "-q", "-c", "-" };
        if (threads is not null)
        {
            cArgs.AddRange(["-T", threads]);
        }
        // each child runs under /usr/bin/time, which reports its CPU seconds at exit (a .NET Process cannot once it has
        // exited); memory and running CPU are read from /proc of the CLI process itself
        using var compTimed = new TimedChild(cArgs);
        using var decompTimed = new TimedChild(["d", "-q", "-c", "-"]);
        var comp = compTimed.Process;
        var decomp = decompTimed.Process;
        var inHash = new XxHash64();
        var outHash = new XxHash64();
        long outBytes = 0, packedBytes = 0;
        var sw = Stopwatch.StartNew();
        var feed = Task.Run(() =>
        {
            var rng = new Xoshiro256(7);
            var buf = new byte[1 << 20];
            string[] words = ["the", "of", "and", "compression", "prediction", "model", "to", "is", "a", "in", "bits", "data"];
            var sb = new StringBuilder();
            for (long sent = 0; sent < total; sent += buf.Length)
            {
                // text-like, with one MiB of random bytes in every randomEvery: both the modelled and the stored-block
                // paths (a random MiB costs order3 about 10 times a text MiB: its tables miss the cache on every bit)
                if ((sent >> 20) % randomEvery == randomEvery - 1)
                {
                    for (int i = 0; i < buf.Length; i += 8)
                    {
                        BitConverter.TryWriteBytes(buf.AsSpan(i), rng.NextUInt64());
                    }
                }
                else
                {
                    sb.Clear();
                    while (sb.Length < buf.Length)
                    {
                        sb.Append(words[(int)(rng.NextUInt64() % (ulong)words.Length)]).Append(' ');
                    }
                    Encoding.ASCII.GetBytes(sb.ToString(0, buf.Length), buf);
                }
                int n = (int)Math.Min(buf.Length, total - sent);
                inHash.Append(buf.AsSpan(0, n));
                comp.StandardInput.BaseStream.Write(buf, 0, n);
            }
            comp.StandardInput.Close();
        });
        var pipe = Task.Run(() =>
        {
            var buf = new byte[1 << 16];
            int n;
            var src = comp.StandardOutput.BaseStream;
            while ((n = src.Read(buf, 0, buf.Length)) > 0)
            {
                packedBytes += n;
                decomp.StandardInput.BaseStream.Write(buf, 0, n);
            }
            decomp.StandardInput.Close();
        });
        var drain = Task.Run(() =>
        {
            var buf = new byte[1 << 16];
            int n;
            var src = decomp.StandardOutput.BaseStream;
            while ((n = src.Read(buf, 0, buf.Length)) > 0)
            {
                outHash.Append(buf.AsSpan(0, n));
                outBytes += n;
            }
        });
        // one line per sample as it is taken (a soak paused between time slots, or cut short, still shows its course);
        // CPU seconds of both children beside the wall clock, which also runs while the soak is paused
        Console.WriteLine("seconds\tgib_out\tcompress_rss_mib\tdecompress_rss_mib\tcompress_peak_mib\tdecompress_peak_mib\tcompress_cpu_s\tdecompress_cpu_s");
        while (!drain.Wait(TimeSpan.FromSeconds(10)))
        {
            Console.WriteLine(string.Create(Inv,
                $"{sw.Elapsed.TotalSeconds:F0}\t{outBytes / (double)(1L << 30):F3}\t{RssMiB(compTimed.Pid):F0}\t{RssMiB(decompTimed.Pid):F0}\t{RssMiB(compTimed.Pid, "VmHWM"):F0}\t{RssMiB(decompTimed.Pid, "VmHWM"):F0}\t{CpuSeconds(compTimed.Pid):F0}\t{CpuSeconds(decompTimed.Pid):F0}"));
        }
        Task.WaitAll(feed, pipe);
        comp.WaitForExit();
        decomp.WaitForExit();
        bool same = outBytes == total && inHash.GetCurrentHashAsUInt64() == outHash.GetCurrentHashAsUInt64();
        double cpuC = compTimed.CpuSecondsAtExit(), cpuD = decompTimed.CpuSecondsAtExit();
        Console.WriteLine(string.Create(Inv,
            $"soak {model}{(threads is null ? "" : " -T " + threads)}, one random MiB in {randomEvery}: {total:N0} bytes in, {packedBytes:N0} packed ({8.0 * packedBytes / total:F3} bpb), {outBytes:N0} back, identical: {same}; " +
            $"{sw.Elapsed.TotalSeconds:F0} s wall; CPU compress {cpuC:F0} s ({total / 1e6 / cpuC:F2} MB per CPU-s), decompress {cpuD:F0} s ({total / 1e6 / cpuD:F2} MB per CPU-s); exit {comp.ExitCode}/{decomp.ExitCode}"));
        return same && comp.ExitCode == 0 && decomp.ExitCode == 0 ? 0 : 1;
    }

    /// <summary>
    /// Time budgets: wall clock (and CPU time) of whole child processes against the budget they were given, beside
    /// the floor — the same command with a budget too small to do any work (start-up, reading, model and tables, the
    /// least search or step, the final scoring): no budget below the floor can hold.
    /// </summary>
    public static int Budgets(string[] args)
    {
        string dir = Directory.CreateTempSubdirectory("kolmo-budgets-").FullName;
        var book = File.ReadAllText(Path.Combine(Repo, "data", "english", "pride-and-prejudice_pg1342.txt"));
        var letters = new string([.. book.ToLowerInvariant().Where(char.IsAsciiLetterLower)]);
        var rng = new Random(1);
        var key = "abcdefghijklmnopqrstuvwxyz".ToCharArray();
        rng.Shuffle(key);
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, Inv)).ToArray() : [20_000, 200_000, 2_000_000];
        Console.WriteLine("| command | input | budget (s) | wall (s) | CPU (s) | wall / budget |\n|---|---:|---:|---:|---:|---:|");
        void Row(string command, string input, double budget, List<string> a)
        {
            var (wall, cpu) = Run(a);
            Console.WriteLine(string.Create(Inv, $"| {command} | {input} | {budget} | {wall:F2} | {cpu:F2} | {(budget > 0 ? (wall / budget).ToString("F3", Inv) : "floor")} |"));
        }
        foreach (int n in sizes)
        {
            var sb = new StringBuilder(n);
            while (sb.Length < n)
            {
                sb.Append(letters, 0, Math.Min(letters.Length, n - sb.Length));
            }
            string cipher = new([.. sb.ToString().Select(c => key[c - 'a'])]);
            string path = Path.Combine(dir, $"cipher{n}.txt");
            File.WriteAllText(path, cipher);
            Row("decipher --seconds 0.001 (floor)", $"{n:N0} letters", 0, ["decipher", path, "--seconds", "0.001", "--json"]);
            foreach (double s in new[] { 5.0, 20.0 })
            {
                Row($"decipher --seconds {s}", $"{n:N0} letters", s, ["decipher", path, "--seconds", s.ToString(Inv), "--json"]);
            }
        }
        foreach (int kb in new[] { 200, 20_000 })
        {
            string path = Path.Combine(dir, $"train{kb}.txt");
            File.WriteAllText(path, string.Concat(Enumerable.Repeat(letters, kb * 1000 / letters.Length + 1))[..(kb * 1000)]);
            string val = Path.Combine(dir, $"val{kb}.txt");
            File.WriteAllText(val, string.Concat(Enumerable.Repeat(letters, kb * 100 / letters.Length + 1))[..(kb * 100)]);
            List<string> Train(string minutes) =>
                ["train", "--model", "lstm", "--data", path, "--val", val, "--layers", "1", "--dim", "64", "--ctx", "64", "--steps", "1000000", "--max-minutes", minutes, "--out", Path.Combine(dir, $"m{kb}.bin"), "-f"];
            Row("train --val --max-minutes 0.00001 (floor)", $"{kb:N0} KB + {kb / 10:N0} KB val", 0, Train("0.00001"));
            Row("train --val --max-minutes 0.5", $"{kb:N0} KB + {kb / 10:N0} KB val", 30, Train("0.5"));
        }
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>Runs the CLI with <paramref name="args"/> to the end: wall seconds and CPU seconds of the child (from <c>/usr/bin/time</c>).</summary>
    private static (double Wall, double Cpu) Run(List<string> args)
    {
        string timeFile = Path.GetTempFileName();
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-f", "%U %S", "-o", timeFile, "dotnet", CliDll, .. args])
        {
            psi.ArgumentList.Add(a);
        }
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        p.WaitForExit();
        o.Wait();
        double wall = sw.Elapsed.TotalSeconds;
        var us = File.ReadAllLines(timeFile).Last().Split(' ');
        File.Delete(timeFile);
        return (wall, double.Parse(us[0], Inv) + double.Parse(us[1], Inv));
    }

    /// <summary>CPU seconds (user + system) process <paramref name="pid"/> has used so far; NaN once it has ended.</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            // fields after the command name: state is field 3, utime and stime fields 14 and 15, in clock ticks (100 per second)
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(f[11], Inv) + long.Parse(f[12], Inv)) / 100.0;
        }
        catch (IOException)
        {
            return double.NaN;   // the process ended
        }
    }

    /// <summary>Resident memory (VmRSS) of process <paramref name="pid"/> in MiB, or its peak so far with <paramref name="field"/> = VmHWM.</summary>
    private static double RssMiB(int pid, string field = "VmRSS")
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
            // the process ended
        }
        return double.NaN;
    }

    private static string Arg(string[] args, string name, string fallback) => ArgOrNull(args, name) ?? fallback;

    private static string? ArgOrNull(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
    /// <summary>
    /// A CLI child process with redirected standard input and output, run under <c>/usr/bin/time</c> so that its CPU
    /// seconds are known after it has exited. <see cref="Process"/> is the time process (its standard streams and exit
    /// code are the CLI's); <see cref="Pid"/> is the CLI process itself, for /proc.
    /// </summary>
    private sealed class TimedChild : IDisposable
    {
        private readonly string _timeFile = Path.GetTempFileName();

        public TimedChild(List<string> args)
        {
            var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in (string[])["-f", "%U %S", "-o", _timeFile, "dotnet", CliDll, .. args])
            {
                psi.ArgumentList.Add(a);
            }
            Process = Process.Start(psi)!;
            string children = $"/proc/{Process.Id}/task/{Process.Id}/children";
            for (int tries = 0; ; tries++)
            {
                string list = File.Exists(children) ? File.ReadAllText(children).Trim() : "";
                if (list.Length > 0)
                {
                    Pid = int.Parse(list.Split(' ')[0], Inv);
                    break;
                }
                if (tries == 1000)
                {
                    throw new InvalidOperationException("/usr/bin/time did not start the CLI");
                }
                Thread.Sleep(10);
            }
        }

        public Process Process { get; }

        public int Pid { get; }

        /// <summary>User + system CPU seconds of the CLI, as /usr/bin/time reported them at its exit.</summary>
        public double CpuSecondsAtExit()
        {
            Process.WaitForExit();
            var us = File.ReadAllLines(_timeFile).Last().Split(' ');
            return double.Parse(us[0], Inv) + double.Parse(us[1], Inv);
        }

        public void Dispose()
        {
            Process.Dispose();
            File.Delete(_timeFile);
        }
    }
}
