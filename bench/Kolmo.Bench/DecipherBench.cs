using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kolmo.Decipher;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterDecipher(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["decipher"] = ("substitution/homophonic decipherment vs length on a held-out book: decipher [SHARED_DATA] [--n N] [--lengths 25,50] [--homophonic N] [--seeds S] [--out DIR]", DecipherBench.Run);
    }
}

internal static class DecipherBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static KneserNeyModel? Model6;

    private sealed record Row(string Kind, int Length, int Index, int Seed, int Symbols, double Error, double Seconds, double Wall, int Restarts, long Steps, double GapBits, int Agreement, bool TrueBetterOrEqual, bool TrueBetter6);

    public static int Run(string[] args)
    {
        string shared = "../shared/data";
        int perLength = 100;
        int[] lengths = [25, 30, 40, 50, 75, 100, 200];
        int homCount = 10;
        int seeds = 2;
        string outDir = "docs/bench";
        int restarts = 64;
        int iterations = 0;
        int homIterations = 0;
        double homSeconds = 60;
        double temp = 0;
        double beta = 1.0;
        int threads = 2;
        bool baseline = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--n": perLength = int.Parse(args[++i], Inv); break;
                case "--lengths": lengths = [.. args[++i].Split(',').Where(s => s.Length > 0).Select(s => int.Parse(s, Inv))]; break;
                case "--homophonic": homCount = int.Parse(args[++i], Inv); break;
                case "--seeds": seeds = int.Parse(args[++i], Inv); break;
                case "--out": outDir = args[++i]; break;
                case "--restarts": restarts = int.Parse(args[++i], Inv); break;
                case "--iters": iterations = int.Parse(args[++i], Inv); break;
                case "--hom-iters": homIterations = int.Parse(args[++i], Inv); break;
                case "--hom-seconds": homSeconds = double.Parse(args[++i], Inv); break;
                case "--temp": temp = double.Parse(args[++i], Inv); break;
                case "--beta": beta = double.Parse(args[++i], Inv); break;
                case "--threads": threads = int.Parse(args[++i], Inv); break;
                case "--no-baseline": baseline = false; break;
                default: shared = args[i]; break;
            }
        }
        string heldOutPath = Path.Combine(shared, "english", "frankenstein_pg84.txt");
        if (!File.Exists(heldOutPath))
        {
            Console.Error.WriteLine($"held-out book not found: {heldOutPath}");
            return 2;
        }
        var sw = Stopwatch.StartNew();
        var model = EnglishModel.Train(Alphabet.Letters, 6, Path.Combine("data", "english"));
        double trainS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var table = Environment.GetEnvironmentVariable("DECIPHER_DENSE") == "1" ? ScoreTable.Build(model, 5) : ScoreTable.BuildHashed(model);
        Model6 = model;
        double tableS = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"model: order 6 KN, {model.Counts.Total} training 6-grams, {model.Counts.Distinct} distinct; train {trainS:F2} s, order-5 table {tableS:F2} s");
        byte[] held = Alphabet.Letters.Normalize(File.ReadAllText(heldOutPath));
        var solver = new SubstitutionSolver(table);
        var rows = new List<Row>();
        var log = new StringBuilder();

        // ---- simple substitution, no spaces
        foreach (int len in lengths)
        {
            var lenRows = RunSimple(solver, table, held, len, perLength, restarts, iterations, temp, threads, "simple-sa", 0);
            rows.AddRange(lenRows);
            Summarise(lenRows, $"simple {len}");
            if (baseline && (len == 50 || len == 100))
            {
                // baseline: same restarts, plain hill climbing (temperature ~0), same ciphers
                var hc = RunSimple(solver, table, held, len, Math.Min(perLength, 30), restarts, iterations, 1e-6, threads, "simple-hillclimb", 0);
                rows.AddRange(hc);
                Summarise(hc, $"hillclimb baseline {len}");
            }
        }

        // ---- homophonic
        if (homCount > 0)
        {
            var hom = RunHomophonic(solver, held, homCount, seeds, homIterations, homSeconds, beta, temp, threads);
            rows.AddRange(hom);
            Summarise(hom, "homophonic");
        }

        Directory.CreateDirectory(outDir);
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd", Inv);
        string commit = Git("rev-parse --short HEAD");
        string tsv = Path.Combine(outDir, $"decipher-{date}.tsv");
        using (var w = new StreamWriter(tsv))
        {
            w.WriteLine("kind\tlength\tindex\tseed\tsymbols\terror\tseconds\trestarts\tsteps\tgap_bits\tagreement\ttrue_scores_le_found");
            foreach (var r in rows)
            {
                w.WriteLine(string.Join('\t', r.Kind, r.Length, r.Index, r.Seed, r.Symbols, r.Error.ToString("F4", Inv), r.Seconds.ToString("F3", Inv), r.Restarts, r.Steps, r.GapBits.ToString("F2", Inv), r.Agreement, r.TrueBetterOrEqual));
            }
        }
        string md = Path.Combine(outDir, $"decipher-{date}.md");
        File.WriteAllText(md, Markdown(rows, date, commit, perLength, restarts, iterations, homSeconds, beta, threads, trainS, tableS));
        Plot(rows, Path.Combine("docs", "decipher-error-vs-length.png"));
        Console.WriteLine($"wrote {tsv}, {md}, docs/decipher-error-vs-length.png");
        return 0;
    }

    private static List<Row> RunSimple(SubstitutionSolver solver, ScoreTable table, byte[] held, int len, int count, int restarts, int iterations, double temp, int threads, string kind, int seed)
    {
        var rows = new Row[count];
        // ciphers are generated from a fixed generator per (length, index): same ciphers for every solver config
        for (int i = 0; i < count; i++)
        {
            var rng = new Rng(0xC1F3E5UL + (ulong)len, (ulong)i);
            int start = rng.Next(held.Length - len);
            byte[] plain = held.AsSpan(start, len).ToArray();
            int[] perm = [.. Enumerable.Range(0, 26)];
            for (int j = 25; j > 0; j--)
            {
                int k = rng.Next(j + 1);
                (perm[j], perm[k]) = (perm[k], perm[j]);
            }
            // cipher symbol ids in order of first occurrence (as a parsed ciphertext would be)
            var ids = new Dictionary<int, int>();
            int[] text = new int[len];
            for (int j = 0; j < len; j++)
            {
                int c = perm[plain[j]];
                if (!ids.TryGetValue(c, out int id))
                {
                    id = ids.Count;
                    ids[c] = id;
                }
                text[j] = id;
            }
            var cipher = Cipher.FromIds(text);
            var opts = new SolverOptions { Restarts = restarts, Iterations = iterations, Seed = (ulong)(seed + 1), Threads = threads, Temperature = temp };
            var (res, cpu, wall) = Timed(() => solver.Solve(cipher, opts));
            rows[i] = Evaluate(kind, len, i, seed, ids.Count, plain, res, table, cpu, wall);
        }
        return [.. rows];
    }

    private static (SolverResult, double Cpu, double Wall) Timed(Func<SolverResult> solve)
    {
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var res = solve();
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        return (res, (proc.TotalProcessorTime - cpu0).TotalSeconds, wall);
    }

    private static Row Evaluate(string kind, int len, int i, int seed, int symbols, byte[] plain, SolverResult res, ScoreTable table, double secs, double wall)
    {
        int wrong = 0;
        for (int j = 0; j < plain.Length; j++)
        {
            if (res.Plaintext[j] != plain[j])
            {
                wrong++;
            }
        }
        double trueCost = table.Cost(plain) / (double)ScoreTable.UnitsPerBit;
        double foundCost = table.Cost(res.Plaintext) / (double)ScoreTable.UnitsPerBit;
        if (Environment.GetEnvironmentVariable("DECIPHER_DEBUG") == "1" && wrong > plain.Length / 50)
        {
            lock (Inv)
            {
                Console.WriteLine($"  true  {Alphabet.Letters.Render(plain)} {trueCost:F1} {Model6?.Bits(plain):F1}");
                Console.WriteLine($"  found {Alphabet.Letters.Render(res.Plaintext)} {foundCost:F1} {Model6?.Bits(res.Plaintext):F1} restarts {res.Restarts} agree {res.Agreement}");
            }
        }
        bool t6 = Model6 is null || Model6.Bits(plain) <= Model6.Bits(res.Plaintext) + 1e-9;
        return new Row(kind, len, i, seed, symbols, wrong / (double)plain.Length, secs, wall, res.Restarts, res.Steps, res.GapBits, res.Agreement, trueCost <= foundCost + 1e-9, t6);
    }

    private static List<Row> RunHomophonic(SubstitutionSolver solver, byte[] held, int count, int seeds, int iterations, double seconds, double beta, double temp, int threads)
    {
        // English letter frequencies from the held-out book itself are NOT used: the allotment uses the model's unigram
        double[] q = new double[26];
        var lvl = solver.Table.Level(1);
        for (int l = 0; l < 26; l++)
        {
            q[l] = Math.Pow(2, -lvl[l] / (double)ScoreTable.UnitsPerBit);
        }
        var jobs = new List<(int Index, int Seed)>();
        for (int i = 0; i < count; i++)
        {
            for (int s = 0; s < seeds; s++)
            {
                jobs.Add((i, s));
            }
        }
        var rows = new Row[jobs.Count];
        for (int j = 0; j < jobs.Count; j++)
        {
            var (i, seed) = jobs[j];
            var rng = new Rng(0x40A0UL, (ulong)i);
            int len = 300 + rng.Next(101);
            int symbols = 50 + rng.Next(11);
            int start = rng.Next(held.Length - len);
            byte[] plain = held.AsSpan(start, len).ToArray();
            int[] allot = Allot(q, symbols);
            // homophone ids: letter l owns ids [first[l], first[l] + allot[l]); shuffled so ids carry no letter order
            int[] first = new int[27];
            for (int l = 0; l < 26; l++)
            {
                first[l + 1] = first[l] + allot[l];
            }
            int[] shuffle = [.. Enumerable.Range(0, symbols)];
            for (int k = symbols - 1; k > 0; k--)
            {
                int m = rng.Next(k + 1);
                (shuffle[k], shuffle[m]) = (shuffle[m], shuffle[k]);
            }
            var ids = new Dictionary<int, int>();
            int[] text = new int[len];
            for (int k = 0; k < len; k++)
            {
                int l = plain[k];
                int c = shuffle[first[l] + rng.Next(allot[l])];
                if (!ids.TryGetValue(c, out int id))
                {
                    id = ids.Count;
                    ids[c] = id;
                }
                text[k] = id;
            }
            var cipher = Cipher.FromIds(text);
            var opts = new SolverOptions
            {
                Homophonic = true,
                Restarts = 1000,
                Iterations = iterations,
                Seconds = seconds,
                Seed = (ulong)(seed + 1),
                Threads = threads,
                DistributionWeight = beta,
                Temperature = temp,
            };
            var (res, cpu, wall) = Timed(() => solver.Solve(cipher, opts));
            rows[j] = Evaluate("homophonic", len, i, seed, ids.Count, plain, res, solver.Table, cpu, wall);
            Console.WriteLine($"  homophonic cipher {i} seed {seed}: {len} symbols, {ids.Count} distinct, accuracy {1 - rows[j].Error:P1}, {cpu:F1} CPU-s, restarts {res.Restarts}");
        }
        return [.. rows];
    }

    /// <summary>Homophones per letter ∝ letter frequency, at least 1 each (largest remainders).</summary>
    internal static int[] Allot(double[] q, int symbols)
    {
        int[] allot = new int[26];
        Array.Fill(allot, 1);
        int left = symbols - 26;
        double sum = q.Sum();
        var frac = new double[26];
        for (int l = 0; l < 26; l++)
        {
            double want = q[l] / sum * left;
            int whole = (int)Math.Floor(want);
            allot[l] += whole;
            frac[l] = want - whole;
        }
        int given = allot.Sum();
        foreach (int l in Enumerable.Range(0, 26).OrderByDescending(l => frac[l]).ThenBy(l => l))
        {
            if (given >= symbols)
            {
                break;
            }
            allot[l]++;
            given++;
        }
        return allot;
    }

    private static void Summarise(IReadOnlyCollection<Row> rows, string label)
    {
        if (rows.Count == 0)
        {
            return;
        }
        double solved = rows.Count(r => r.Error <= 0.02) / (double)rows.Count;
        double err = rows.Average(r => r.Error);
        double t = rows.Average(r => r.Seconds);
        double maxErr = rows.Max(r => r.Error);
        double modelErr = rows.Count(r => r.TrueBetterOrEqual) / (double)rows.Count;
        Console.WriteLine($"{label,-24} n={rows.Count,3} solved {solved:P1}  mean err {err:P2}  max err {maxErr:P1}  mean {t:F2} CPU-s  max {rows.Max(r => r.Seconds):F2}  wall {rows.Average(r => r.Wall):F2} s  {rows.Sum(r => r.Steps) / rows.Sum(r => r.Seconds) / 1e6:F2} Msteps/CPU-s  search-ok {modelErr:P0} (order6 {rows.Count(r => r.TrueBetter6) / (double)rows.Count:P0})");
    }

    private static string Git(string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args) { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string Markdown(List<Row> rows, string date, string commit, int perLength, int restarts, int iterations, double homSeconds, double beta, int threads, double trainS, double tableS)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Decipherment benchmark, {date}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- commit `{commit}`, {Environment.ProcessorCount} cores ({System.Runtime.InteropServices.RuntimeInformation.OSDescription}), .NET {Environment.Version}");
        sb.AppendLine(Inv, $"- model: order-6 interpolated modified Kneser-Ney trained on data/english (2 books); search table order 5 (26^5 ushort); train {trainS:F2} s, table {tableS:F2} s");
        sb.AppendLine("- test text: Frankenstein (held out, not in the training set), letters only, no spaces; random offsets and keys (fixed generator)");
        sb.AppendLine(Inv, $"- simple: up to {restarts} restarts per cipher, {(iterations > 0 ? iterations.ToString(Inv) : "automatic")} steps per restart, stop when 4 restarts agree; one thread per cipher, {threads} ciphers in parallel");
        sb.AppendLine(Inv, $"- homophonic: restarts until {homSeconds:F0} s wall clock (one thread per cipher), prior weight β = {beta}");
        sb.AppendLine("- solved = symbol error ≤ 2%; `search-ok` = share of ciphers where the true plaintext does not score better than the found one (a lower value means search failures rather than model failures)");
        sb.AppendLine();
        sb.AppendLine("| kind | length | ciphers | solved | mean symbol error | max error | mean s/solve | max s | search-ok |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in rows.GroupBy(r => (r.Kind, r.Kind == "homophonic" ? 0 : r.Length)))
        {
            var list = g.ToList();
            sb.AppendLine(Inv, $"| {g.Key.Kind} | {(g.Key.Item2 == 0 ? "300–400" : g.Key.Item2.ToString(Inv))} | {list.Count} | {list.Count(r => r.Error <= 0.02) / (double)list.Count:P1} | {list.Average(r => r.Error):P2} | {list.Max(r => r.Error):P1} | {list.Average(r => r.Seconds):F2} | {list.Max(r => r.Seconds):F2} | {list.Count(r => r.TrueBetterOrEqual) / (double)list.Count:P0} |");
        }
        var hom = rows.Where(r => r.Kind == "homophonic").ToList();
        if (hom.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Homophonic ciphers (accuracy = 1 − symbol error):");
            sb.AppendLine();
            sb.AppendLine("| cipher | seed | length | symbols | accuracy | s |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
            foreach (var r in hom)
            {
                sb.AppendLine(Inv, $"| {r.Index} | {r.Seed} | {r.Length} | {r.Symbols} | {1 - r.Error:P1} | {r.Seconds:F1} |");
            }
        }
        return sb.ToString();
    }

    private static void Plot(List<Row> rows, string path)
    {
        var simple = rows.Where(r => r.Kind == "simple-sa").GroupBy(r => r.Length).OrderBy(g => g.Key).ToList();
        if (simple.Count == 0)
        {
            return;
        }
        var plt = new ScottPlot.Plot();
        double[] xs = [.. simple.Select(g => (double)g.Key)];
        var err = plt.Add.Scatter(xs, [.. simple.Select(g => 100 * g.Average(r => r.Error))]);
        err.LegendText = "mean symbol error (%)";
        var uns = plt.Add.Scatter(xs, [.. simple.Select(g => 100.0 * g.Count(r => r.Error > 0.02) / g.Count())]);
        uns.LegendText = "unsolved (error > 2%) (%)";
        plt.Title("Simple substitution, no spaces, held-out English");
        plt.XLabel("cipher length (letters)");
        plt.YLabel("%");
        plt.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        plt.SavePng(path, 800, 500);
    }
}
