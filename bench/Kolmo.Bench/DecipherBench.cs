using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kolmo.Decipher;
using Kolmo.Reporting;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterDecipher(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["decipher-plot"] = ("redraw docs/decipher-error-vs-length.png from a decipher TSV: decipher-plot TSV", DecipherBench.PlotOnly);
        suites["decipher"] = ("substitution/homophonic decipherment vs length on a held-out book: decipher [SHARED_DATA] [--n N] [--lengths 25,50] [--homophonic N] [--seeds S] [--restarts R] [--held-out TEXT] [--out DIR]", DecipherBench.Run);
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
        int restarts = 16;
        int iterations = 0;
        int homIterations = 0;
        double homSeconds = 0;
        int homRestarts = 8;
        double temp = 0;
        double beta = 1.0;
        int threads = 2;
        bool baseline = true;
        bool scorers = true;
        string? heldOutFile = null;
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
                case "--hom-restarts": homRestarts = int.Parse(args[++i], Inv); break;
                case "--temp": temp = double.Parse(args[++i], Inv); break;
                case "--beta": beta = double.Parse(args[++i], Inv); break;
                case "--threads": threads = int.Parse(args[++i], Inv); break;
                case "--no-baseline": baseline = false; break;
                case "--no-scorers": scorers = false; break;
                case "--held-out": heldOutFile = args[++i]; break;
                default: shared = args[i]; break;
            }
        }
        string heldOutPath = heldOutFile ?? Path.Combine(shared, "english", "frankenstein_pg84.txt");
        if (!File.Exists(heldOutPath))
        {
            Console.Error.WriteLine($"held-out book not found: {heldOutPath}");
            return 2;
        }
        var sw = Stopwatch.StartNew();
        var model = EnglishModel.Train(Alphabet.Letters, 6);
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

        void Write(string extra)
        {
            Directory.CreateDirectory(outDir);
            string date = DateTime.UtcNow.ToString("yyyy-MM-dd", Inv);
            string commit = Git("rev-parse --short HEAD");
            string tsv = Path.Combine(outDir, $"decipher-{date}.tsv");
            using (var w = new StreamWriter(tsv))
            {
                w.WriteLine("kind\tlength\tindex\tseed\tsymbols\terror\tcpu_seconds\twall_seconds\trestarts\tsteps\tgap_bits\tagreement\ttrue_scores_le_found");
                foreach (var r in rows)
                {
                    w.WriteLine(string.Join('\t', r.Kind, r.Length, r.Index, r.Seed, r.Symbols, r.Error.ToString("F4", Inv), r.Seconds.ToString("F3", Inv), r.Wall.ToString("F3", Inv), r.Restarts, r.Steps, r.GapBits.ToString("F2", Inv), r.Agreement, r.TrueBetterOrEqual));
                }
            }
            string md = Path.Combine(outDir, $"decipher-{date}.md");
            File.WriteAllText(md, Markdown(rows, date, commit, perLength, restarts, iterations, homSeconds, homRestarts, homIterations, beta, threads, trainS, tableS) + extra);
            Plot(rows, Path.Combine("docs", "decipher-error-vs-length.png"));
        }

        // ---- simple substitution, no spaces
        foreach (int len in lengths)
        {
            var lenRows = RunSimple(solver, table, held, len, perLength, restarts, iterations, temp, threads, "simple-sa", 0);
            rows.AddRange(lenRows);
            Summarise(lenRows, $"simple {len}");
            if (baseline && (len == 50 || len == 100))
            {
                // baseline: same restarts, plain hill climbing (temperature ~0), same ciphers
                var hc = RunSimple(solver, table, held, len, Math.Min(perLength, 15), restarts, iterations, 1e-6, threads, "simple-hillclimb", 0);
                rows.AddRange(hc);
                Summarise(hc, $"hillclimb baseline {len}");
            }
            Write("");
        }

        // ---- homophonic
        if (homCount > 0)
        {
            var hom = RunHomophonic(solver, held, homCount, seeds, homIterations, homSeconds, homRestarts, beta, temp, threads);
            rows.AddRange(hom);
            Summarise(hom, "homophonic");
            Write("");
        }

        string scorerMd = scorers ? CompareScorers(model, held) : "";
        Write(scorerMd);
        Console.WriteLine($"wrote {outDir}/decipher-*.md/.tsv, docs/decipher-error-vs-length.png");
        return 0;
    }

    public static int PlotOnly(string[] args)
    {
        if (args.Length != 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: decipher-plot TSV");
            return 2;
        }
        var rows = File.ReadLines(args[0]).Skip(1).Select(l => l.Split('\t'))
            .Select(f => new Row(f[0], int.Parse(f[1], Inv), int.Parse(f[2], Inv), int.Parse(f[3], Inv), int.Parse(f[4], Inv),
                double.Parse(f[5], Inv), double.Parse(f[6], Inv), double.Parse(f[7], Inv), 0, 0, 0, 0, false, false))
            .ToList();
        Plot(rows, Path.Combine("docs", "decipher-error-vs-length.png"));
        return 0;
    }

    private static List<Row> RunSimple(SubstitutionSolver solver, ScoreTable table, byte[] held, int len, int count, int restarts, int iterations, double temp, int threads, string kind, int seed)
    {
        var rows = new Row[count];
        // ciphers are fixed by (length, index): same ciphers for every solver config (and for the tour)
        for (int i = 0; i < count; i++)
        {
            var sample = RandomSubstitution.Make(held, len, i);
            byte[] plain = sample.Plain;
            var cipher = sample.Cipher;
            int symbols = plain.Distinct().Count();
            var opts = new SolverOptions { Restarts = restarts, Iterations = iterations, Seed = (ulong)(seed + 1), Threads = threads, Temperature = temp };
            var (res, cpu, wall) = Timed(() => solver.Solve(cipher, opts));
            rows[i] = Evaluate(kind, len, i, seed, symbols, plain, res, table, cpu, wall);
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

    private static List<Row> RunHomophonic(SubstitutionSolver solver, byte[] held, int count, int seeds, int iterations, double seconds, int restarts, double beta, double temp, int threads)
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
            var rng = new Xoshiro256(0x40A0UL, (ulong)i);
            int len = 300 + rng.Next(101);
            int symbols = 50 + rng.Next(11);
            int start = rng.Next(held.Length - len);
            // keep drawing until the ciphertext itself shows 50..60 distinct symbols (some homophones stay unused)
            ulong encSeed = 0;
            for (int attempt = 0; ; attempt++)
            {
                symbols = 52 + rng.Next(19);
                int[] al = Allot(q, symbols);
                var probe = new Xoshiro256(0x40A1UL + (ulong)attempt, (ulong)i);
                var used = new HashSet<(int, int)>();
                for (int k = 0; k < len; k++)
                {
                    int l = held[start + k];
                    used.Add((l, probe.Next(al[l])));
                }
                if (used.Count is >= 50 and <= 60)
                {
                    encSeed = 0x40A1UL + (ulong)attempt;
                    break;
                }
            }
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
            var enc = new Xoshiro256(encSeed, (ulong)i);
            for (int k = 0; k < len; k++)
            {
                int l = plain[k];
                int c = shuffle[first[l] + enc.Next(allot[l])];
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
                Restarts = restarts,
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

    /// <summary>
    /// Compares the n-gram scorer with Kolmo's compression models and the standard panel as plaintext scorers:
    /// held-out bits per letter, discrimination (true plaintext vs. a two-letter swap of it), and a small solve.
    /// </summary>
    private static string CompareScorers(KneserNeyModel model6, byte[] held)
    {
        var sb = new StringBuilder();
        var alphabet = Alphabet.Letters;
        byte[] train = EnglishModel.TrainingText(alphabet);
        byte[] prefix = train.AsSpan(train.Length - 50_000).ToArray();
        var scorersList = new List<IPlaintextScorer>();
        for (int k = 2; k <= 6; k += 2)
        {
            scorersList.Add(new NGramScorer(k == 6 ? model6 : KneserNeyModel.Build(model6.Counts.Truncate(k))));
        }
        foreach (int k in new[] { 3 })
        {
            var bm = new OrderNByteModel(k, 22);
            bm.Prime(System.Text.Encoding.ASCII.GetBytes(alphabet.Render(train)));
            scorersList.Add(new ByteModelScorer(bm, alphabet));
        }
        foreach (var c in Kolmo.Compression.Panel.StandardPanel.Create().Where(c => c.Name is "zstd-19" or "lzma"))
        {
            scorersList.Add(new CompressorScorer(c, alphabet, prefix));
        }
        byte[] sample = held.AsSpan(50_000, 20_000).ToArray();
        sb.AppendLine();
        sb.AppendLine("## Scorers: n-gram model vs compression models");
        sb.AppendLine();
        sb.AppendLine("Held-out: 20,000 letters of Frankenstein. Compressors are conditioned on the last 50,000 training letters as a prefix (C(prefix+x) − C(prefix)); byte models are primed on all training letters. Discrimination: share of held-out windows (100 for n-gram scorers, 30 for the slower byte-model and compressor scorers) where the true plaintext scores strictly better than the same window with two of its letters swapped (as a wrong key would); ties count as failures.");
        sb.AppendLine();
        sb.AppendLine("| scorer | bits/letter (held-out) | discrimination, 50 letters | discrimination, 100 letters | ms per 100-letter score |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var sc in scorersList)
        {
            double bpl = sc.Bits(sample) / sample.Length;
            int windows = sc is CompressorScorer or ByteModelScorer ? 30 : 100;
            double d50 = Discrimination(sc, held, 50, windows);
            var sw = Stopwatch.StartNew();
            double d100 = Discrimination(sc, held, 100, windows);
            double ms = sw.Elapsed.TotalMilliseconds / (2 * windows);
            sb.AppendLine(Inv, $"| {sc.Name} | {bpl:F3} | {d50:P1} | {d100:P1} | {ms:F2} |");
            Console.WriteLine($"scorer {sc.Name}: {bpl:F3} bits/letter, discrimination {d50:P1} (50) {d100:P1} (100), {ms:F2} ms/score");
        }
        // small solve with full re-scoring hill climbing: n-gram vs byte model
        sb.AppendLine();
        sb.AppendLine("Solving 5 simple-substitution ciphers of 100 letters with the generic full-rescoring annealer (`ScorerHillClimber`, 2 restarts × 1500 swaps):");
        sb.AppendLine();
        sb.AppendLine("| scorer | solved | mean symbol error | CPU-s per cipher |");
        sb.AppendLine("|---|---:|---:|---:|");
        var small = new OrderNByteModel(3, 18);
        small.Prime(System.Text.Encoding.ASCII.GetBytes(alphabet.Render(train)));
        foreach (var sc in new IPlaintextScorer[] { new NGramScorer(model6), new ByteModelScorer(small, alphabet) })
        {
            int solved = 0;
            double errSum = 0;
            double cpu = 0;
            for (int i = 0; i < 5; i++)
            {
                var rng = new Xoshiro256(0x5C0AEUL, (ulong)i);
                int start = rng.Next(held.Length - 100);
                byte[] plain = held.AsSpan(start, 100).ToArray();
                int[] perm = [.. Enumerable.Range(0, 26)];
                for (int j = 25; j > 0; j--)
                {
                    int k = rng.Next(j + 1);
                    (perm[j], perm[k]) = (perm[k], perm[j]);
                }
                var cipher = Cipher.FromIds([.. plain.Select(p => perm[p])]);
                var proc = Process.GetCurrentProcess();
                var c0 = proc.TotalProcessorTime;
                var (_, found, _) = ScorerHillClimber.Solve(cipher, sc, 2, 1500, 1);
                proc.Refresh();
                cpu += (proc.TotalProcessorTime - c0).TotalSeconds;
                double err = plain.Zip(found).Count(t => t.First != t.Second) / 100.0;
                errSum += err;
                if (err <= 0.02)
                {
                    solved++;
                }
            }
            sb.AppendLine(Inv, $"| {sc.Name} | {solved}/5 | {errSum / 5:P1} | {cpu / 5:F2} |");
            Console.WriteLine($"annealing with {sc.Name}: solved {solved}/5, mean error {errSum / 5:P1}, {cpu / 5:F2} CPU-s");
        }
        return sb.ToString();
    }

    private static double Discrimination(IPlaintextScorer scorer, byte[] held, int len, int count)
    {
        int ok = 0;
        for (int i = 0; i < count; i++)
        {
            var rng = new Xoshiro256(0xD15CUL + (ulong)len, (ulong)i);
            int start = rng.Next(held.Length - len);
            byte[] plain = held.AsSpan(start, len).ToArray();
            int a = plain[rng.Next(len)];
            int b;
            do
            {
                b = plain[rng.Next(len)];
            }
            while (b == a && plain.Distinct().Count() > 1);
            byte[] wrong = [.. plain.Select(p => p == a ? (byte)b : p == b ? (byte)a : p)];
            if (scorer.Bits(plain) < scorer.Bits(wrong))
            {
                ok++;
            }
        }
        return ok / (double)count;
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

    private static string Markdown(List<Row> rows, string date, string commit, int perLength, int restarts, int iterations, double homSeconds, int homRestarts, int homIterations, double beta, int threads, double trainS, double tableS)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Decipherment benchmark, {date}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- commit `{commit}`, {Environment.ProcessorCount} cores ({System.Runtime.InteropServices.RuntimeInformation.OSDescription}), .NET {Environment.Version}");
        sb.AppendLine(Inv, $"- model: order-6 interpolated modified Kneser-Ney trained on data/english (3 books, 1.95 M letters); search table: hashed order 6 (`ScoreTable.ForModel`); train {trainS:F2} s, table {tableS:F2} s");
        sb.AppendLine("- test text: Frankenstein (held out, not in the training set), letters only, no spaces; random offsets and keys (fixed generator)");
        sb.AppendLine(Inv, $"- simple: up to {restarts} restarts per cipher, {(iterations > 0 ? iterations.ToString(Inv) : "automatic")} steps per restart, stop when 4 restarts agree; ciphers solved one after another, {threads} threads per solve (parallel restarts); time = process CPU seconds per solve");
        sb.AppendLine(Inv, $"- homophonic: up to {homRestarts} restarts × {(homIterations > 0 ? homIterations : SubstitutionSolver.DefaultIterations(350, true)):N0} steps (stop when 4 agree){(homSeconds > 0 ? $", wall-clock cap {homSeconds:F0} s" : "")}, prior weight β = {beta}; time = process CPU seconds");
        sb.AppendLine("- solved = symbol error ≤ 2%; `model prefers truth` = share of ciphers where the true plaintext scores at least as well as the one found (100% − this = model errors, which no search can fix; unsolved ciphers inside this share are search failures)");
        sb.AppendLine();
        sb.AppendLine("| kind | length | ciphers | solved | mean symbol error | max error | mean CPU-s/solve | max CPU-s | model prefers truth |");
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
        double[] xs = [.. simple.Select(g => (double)g.Key)];
        var chart = new LineChart("Simple substitution, no spaces, held-out English", "cipher length (letters)", "%",
        [
            new ChartSeries("mean symbol error (%)", xs, [.. simple.Select(g => 100 * g.Average(r => r.Error))]),
            new ChartSeries("unsolved (error > 2%) (%)", xs, [.. simple.Select(g => 100.0 * g.Count(r => r.Error > 0.02) / g.Count())]),
        ]) { Height = 500 };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Charts.Render(chart));
    }
}
