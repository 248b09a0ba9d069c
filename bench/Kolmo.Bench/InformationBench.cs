using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Reporting;
using Kolmo.Modeling;

namespace Kolmo.Bench;

/// <summary>
/// Information-layer experiments. Each writes docs/bench/information-SUITE-DATE.{md,tsv} (and pictures
/// for the language tree) and prints the table. Data are read from ../shared/data (or the path given first).
/// </summary>
public static partial class Program
{
    static partial void RegisterInformation(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["info-r8"] = ("R8: NCD-kNN (deflate, ordermix, ...) vs class-conditional ordermix; [DATA] [--knn-docs N] [--compressors a,b]", a => InfoBench.Classify(a, "r8"));
        suites["info-sms"] = ("SMS spam (lines 1-4000 train, 4001-5574 test): same comparison; [DATA] [--knn-docs N] [--split LINES]", a => InfoBench.Classify(a, "sms"));
        suites["info-udhr"] = ("UDHR 67 languages: NCD matrix, UPGMA + NJ trees, purity at #families; [DATA] [--compressors a,b]", InfoBench.Udhr);
        suites["info-claims"] = ("C(XY) <= C(X)+C(Y), shared structure on related/unrelated pairs, priming = joint - marginal; [DATA]", InfoBench.Claims);
    }
}

internal static class InfoBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static (string Data, Dictionary<string, string> Opts) ParseArgs(string[] args)
    {
        string data = "../shared/data";
        var opts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                opts[args[i][2..]] = args[++i];
            }
            else
            {
                data = args[i];
            }
        }
        return (data, opts);
    }

    internal static string Header(string title, string command)
    {
        string commit = RunGit("rev-parse --short HEAD");
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : RuntimeInformation.OSArchitecture.ToString();
        return $"# {title}\n\n- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n- machine: {cpu}, {Environment.ProcessorCount} logical cores (shared with other jobs: times are noisy, compare ratios)\n" +
               $"- runtime: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}\n- git commit: {commit}\n- command: `{command}`\n\n";
    }

    private static string RunGit(string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return s.Length > 0 ? s : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    internal static void Save(string suite, string md, string tsv)
    {
        Directory.CreateDirectory("docs/bench");
        string stem = $"docs/bench/information-{suite}-{DateTime.UtcNow:yyyy-MM-dd}";
        File.WriteAllText(stem + ".md", md);
        File.WriteAllText(stem + ".tsv", tsv);
        Console.WriteLine(md);
        Console.WriteLine($"written: {stem}.md, {stem}.tsv");
    }

    // ---------------------------------------------------------------- classification (R8, SMS)

    public static int Classify(string[] args, string set)
    {
        var (data, opts) = ParseArgs(args);
        int knnDocs = int.Parse(opts.GetValueOrDefault("knn-docs", "100"), Inv);
        int modelKnnDocs = int.Parse(opts.GetValueOrDefault("model-knn-docs", "20"), Inv);
        var knnCompressors = opts.GetValueOrDefault("compressors", "deflate,gzip,zstd-19,bzip2").Split(',', StringSplitOptions.RemoveEmptyEntries);
        IReadOnlyList<LabeledDocument> train, test;
        string split;
        if (set == "r8")
        {
            train = DocumentSet.Load(Path.Combine(data, "text-classification/r8/r8-train-all-terms.txt"));
            test = DocumentSet.Load(Path.Combine(data, "text-classification/r8/r8-test-all-terms.txt"));
            split = "published ModApte split (5485 train / 2189 test)";
        }
        else
        {
            var all = DocumentSet.Load(Path.Combine(data, "text-classification/sms-spam/SMSSpamCollection"));
            int cut = int.Parse(opts.GetValueOrDefault("split", "4000"), Inv);
            train = [.. all.Take(cut)];
            test = [.. all.Skip(cut)];
            split = $"lines 1-{cut} train, {cut + 1}-{all.Count} test (file order{(cut == 4000 ? ", as suggested in the data README" : "")})";
        }
        var rows = new List<(string Method, string Compressor, int K, int Docs, double Acc, double F1, double Seconds, double PerDocMs)>();

        // 1. Class-conditional models on the full test set (priming time counted).
        var condModels = opts.GetValueOrDefault("conditional", "ordermix,cm").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var testData = test.Select(d => d.Data).ToArray();
        var condPred = new Dictionary<string, string[]>();
        var condPerDocMs = new Dictionary<string, double>();
        var condPrime = new Dictionary<string, double>();
        ClassificationReport rep = null!;
        foreach (string cm in condModels)
        {
            var sw = Stopwatch.StartNew();
            var cond = new ConditionalClassifier(CodeLengthPanel.SizedFactory(cm), train);
            double primeSec = sw.Elapsed.TotalSeconds;
            var pr = cond.Predict(testData);
            double condSec = sw.Elapsed.TotalSeconds;
            var r = new ClassificationReport([.. test.Select(d => d.Label)], pr);
            rep ??= r;
            condPred[cm] = pr;
            condPerDocMs[cm] = condSec * 1000 / test.Count;
            condPrime[cm] = primeSec;
            rows.Add(("conditional", cm, 0, test.Count, r.Accuracy, r.MacroF1, condSec, condSec * 1000 / test.Count));
            Console.Error.WriteLine($"conditional {cm}: acc {r.Accuracy:F4} macroF1 {r.MacroF1:F4} in {condSec:F1}s (priming {primeSec:F1}s)");
        }
        string refModel = condModels[0];
        var pred = condPred[refModel];

        // 2. NCD-kNN on a deterministic subsample: every s-th test document.
        IReadOnlyList<LabeledDocument> Sample(int n)
        {
            if (n <= 0)
            {
                return [];
            }
            int step = Math.Max(1, (int)Math.Ceiling(test.Count / (double)n));
            return [.. test.Where((_, i) => i % step == 0)];
        }
        var condByDoc = test.Select((d, i) => (d, i)).ToDictionary(t => t.d, t => pred[t.i]);
        var sample = Sample(knnDocs);
        foreach (string name in knnCompressors)
        {
            var c = CodeLengthPanel.Create([name])[0];
            RunKnn(c, sample);
        }
        var modelSample = Sample(modelKnnDocs);
        foreach (string mk in opts.GetValueOrDefault("model-knn", "ordermix").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            RunKnn(CodeLengthPanel.Model(mk), modelSample);
        }

        void RunKnn(ICodeLength c, IReadOnlyList<LabeledDocument> s)
        {
            if (s.Count == 0)
            {
                return;
            }
            var t0 = Stopwatch.StartNew();
            var knn = new NcdKnnClassifier(c, train);
            var preds = knn.Predict([.. s.Select(d => d.Data)]);
            double sec = t0.Elapsed.TotalSeconds;
            var r1 = new ClassificationReport([.. s.Select(d => d.Label)], preds);
            rows.Add(("ncd-knn", c.Name, 1, s.Count, r1.Accuracy, r1.MacroF1, sec, sec * 1000 / s.Count));
            var condOnSample = new ClassificationReport([.. s.Select(d => d.Label)], [.. s.Select(d => condByDoc[d])]);
            rows.Add(("conditional (same docs)", refModel, 0, s.Count, condOnSample.Accuracy, condOnSample.MacroF1, double.NaN, double.NaN));
            Console.Error.WriteLine($"knn {c.Name}: acc {r1.Accuracy:F4} on {s.Count} docs in {sec:F1}s");
        }


        var md = new StringBuilder(Header($"Text classification by compression: {set.ToUpperInvariant()}", $"dotnet run --project bench/Kolmo.Bench -c Release -- info-{set} {string.Join(' ', args)}"));
        md.Append(CultureInfo.InvariantCulture, $"Split: {split}. NCD-kNN runs on every {Math.Max(1, (int)Math.Ceiling(test.Count / (double)knnDocs))}-th test document ({sample.Count} docs; ordermix-kNN on {modelSample.Count}); the conditional method on all {test.Count}, and its accuracy on the same subsample is shown under each kNN row. Time = wall seconds including training (C(t) of the training set, or priming the class models); per-doc = time / documents. Speed-up = kNN per-doc time / conditional per-doc time (same run). Conditional ordermix runs without its match model (see SizedFactory).\n\n");
        md.Append("| method | compressor | k | test docs | accuracy | macro-F1 | seconds | ms/doc | conditional speed-up |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        var tsv = new StringBuilder("method\tcompressor\tk\tdocs\taccuracy\tmacroF1\tseconds\tmsPerDoc\tspeedup\n");
        foreach (var r in rows)
        {
            double condPerDoc = condPerDocMs.GetValueOrDefault(r.Compressor, condPerDocMs[refModel]);
            string speed = r.Method == "ncd-knn" ? (r.PerDocMs / condPerDoc).ToString("F0", Inv) + "×" + (condPerDocMs.ContainsKey(r.Compressor) ? " (same)" : "") : "";
            string sec = double.IsNaN(r.Seconds) ? "" : r.Seconds.ToString("F1", Inv);
            string per = double.IsNaN(r.PerDocMs) ? "" : r.PerDocMs.ToString("F2", Inv);
            md.Append(CultureInfo.InvariantCulture, $"| {r.Method} | {r.Compressor} | {(r.K == 0 ? "" : r.K.ToString(Inv))} | {r.Docs} | {r.Acc:F4} | {r.F1:F4} | {sec} | {per} | {speed} |\n");
            tsv.Append(CultureInfo.InvariantCulture, $"{r.Method}\t{r.Compressor}\t{r.K}\t{r.Docs}\t{r.Acc:R}\t{r.F1:R}\t{r.Seconds:R}\t{r.PerDocMs:R}\t{(r.Method == "ncd-knn" ? r.PerDocMs / condPerDoc : double.NaN):R}\n");
        }
        md.Append(CultureInfo.InvariantCulture, $"\nConditional models, full test set, priming seconds: {string.Join(", ", condPrime.Select(kv => $"{kv.Key} {kv.Value:F1}"))}. Speed-up is against the conditional method with the same model where there is one (marked \"same\"), otherwise against {refModel}.\n\nConfusion matrix (conditional {refModel}, rows = truth, columns = predicted; labels {string.Join(", ", rep.Labels)}):\n\n```\n");
        for (int i = 0; i < rep.Labels.Count; i++)
        {
            md.Append(CultureInfo.InvariantCulture, $"{rep.Labels[i],-10}");
            for (int j = 0; j < rep.Labels.Count; j++)
            {
                md.Append(CultureInfo.InvariantCulture, $"{rep.Confusion[i, j],6}");
            }
            md.Append('\n');
        }
        md.Append("```\n");
        Save(set, md.ToString(), tsv.ToString());
        return 0;
    }

    // ---------------------------------------------------------------- UDHR language tree

    public static int Udhr(string[] args)
    {
        var (data, opts) = ParseArgs(args);
        string dir = Path.Combine(data, "languages/udhr");
        var index = File.ReadAllLines(Path.Combine(dir, "index.tsv")).Skip(1).Select(l => l.Split('\t')).ToArray();
        var items = index.Select(f => (Name: Path.GetFileNameWithoutExtension(f[0]), Data: File.ReadAllBytes(Path.Combine(dir, f[0])))).ToList();
        var family = index.ToDictionary(f => Path.GetFileNameWithoutExtension(f[0]), f => f[4]);
        var branch = index.ToDictionary(f => Path.GetFileNameWithoutExtension(f[0]), f => f[4] + "/" + f[5]);
        int nFam = family.Values.Distinct().Count();
        int nBranch = branch.Values.Distinct().Count();
        var names = opts.GetValueOrDefault("compressors", "deflate,zstd-19,lzma,bzip2,brotli,ordermix").Split(',');
        var md = new StringBuilder(Header("UDHR language tree by NCD", $"dotnet run --project bench/Kolmo.Bench -c Release -- info-udhr {string.Join(' ', args)}"));
        md.Append(CultureInfo.InvariantCulture, $"{items.Count} translations, {nFam} families, {nBranch} family/branch groups (labels from index.tsv). Purity = (1/N) Σ max class count per cluster, after cutting the tree into as many clusters as there are classes. Baseline: one cluster scores the majority share: families {Clustering.Purity([[.. family.Keys]], family):F3}, branches {Clustering.Purity([[.. branch.Keys]], branch):F3}. NJ trees are rooted at their last join.\n\n");
        md.Append("| compressor | seconds | UPGMA purity (families) | NJ purity (families) | UPGMA purity (branches) | NJ purity (branches) |\n|---|---:|---:|---:|---:|---:|\n");
        var tsv = new StringBuilder("compressor\tseconds\tupgmaFamily\tnjFamily\tupgmaBranch\tnjBranch\n");
        foreach (var name in names)
        {
            var c = CodeLengthPanel.Create([name])[0];
            var sw = Stopwatch.StartNew();
            var m = NcdMatrix.Compute(c, items);
            double sec = sw.Elapsed.TotalSeconds;
            var up = Clustering.Upgma(m);
            var nj = Clustering.NeighborJoining(m);
            double uf = Clustering.Purity(Clustering.Cut(up, nFam), family), nf = Clustering.Purity(Clustering.Cut(nj, nFam), family);
            double ub = Clustering.Purity(Clustering.Cut(up, nBranch), branch), nb = Clustering.Purity(Clustering.Cut(nj, nBranch), branch);
            md.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {sec:F1} | {uf:F3} | {nf:F3} | {ub:F3} | {nb:F3} |\n");
            tsv.Append(CultureInfo.InvariantCulture, $"{c.Name}\t{sec:R}\t{uf:R}\t{nf:R}\t{ub:R}\t{nb:R}\n");
            Console.Error.WriteLine($"{c.Name}: {sec:F1}s purity UPGMA {uf:F3}/{ub:F3} NJ {nf:F3}/{nb:F3}");
            if (name == names[^1] || name == "ordermix")
            {
                Directory.CreateDirectory("docs/figures");
                File.WriteAllText($"docs/figures/udhr-{c.Name}.tsv", m.ToTsv());
                File.WriteAllText($"docs/figures/udhr-{c.Name}-upgma.nwk", up.ToNewick() + "\n");
                File.WriteAllText($"docs/figures/udhr-{c.Name}-nj.nwk", nj.ToNewick() + "\n");
                File.WriteAllBytes($"docs/figures/udhr-{c.Name}-upgma.svg", DistanceFigures.Dendrogram(up, $"UDHR, UPGMA on NCD ({c.Name})", svg: true));
                File.WriteAllBytes($"docs/figures/udhr-{c.Name}-nj.png", DistanceFigures.Dendrogram(nj, $"UDHR, neighbour joining on NCD ({c.Name})", svg: false));
                File.WriteAllBytes($"docs/figures/udhr-{c.Name}-heatmap.png", DistanceFigures.Heatmap(m, $"UDHR NCD ({c.Name})", svg: false));
            }
        }
        Save("udhr", md.ToString(), tsv.ToString());
        return 0;
    }

    // ---------------------------------------------------------------- the talk's claims

    public static int Claims(string[] args)
    {
        var (data, _) = ParseArgs(args);
        string udhr = Path.Combine(data, "languages/udhr");
        byte[] R(string f) => File.ReadAllBytes(Path.Combine(udhr, f));
        var rng = new Random(12345);
        byte[] random = new byte[12000];
        rng.NextBytes(random);
        var pairs = new (string Name, byte[] X, byte[] Y)[]
        {
            ("same text (eng, eng)", R("eng.txt"), R("eng.txt")),
            ("related (dan, nob)", R("dan.txt"), R("nob.txt")),
            ("related (spa, cat)", R("spa.txt"), R("cat.txt")),
            ("distant (eng, fin)", R("eng.txt"), R("fin.txt")),
            ("unrelated (eng, random)", R("eng.txt"), random),
            ("long same (4×eng ≈ 43 KB twice)", [.. R("eng.txt"), .. R("sco.txt"), .. R("deu_1996.txt"), .. R("nld.txt")], [.. R("eng.txt"), .. R("sco.txt"), .. R("deu_1996.txt"), .. R("nld.txt")]),
        };
        var md = new StringBuilder(Header("The talk's claims, measured per compressor", $"dotnet run --project bench/Kolmo.Bench -c Release -- info-claims {string.Join(' ', args)}"));
        md.Append("Bits. subadditivity slack = C(X)+C(Y)−C(XY) (≥ 0 means C(XY) ≤ C(X)+C(Y); the header is counted once in C(XY) but twice in C(X)+C(Y)). MI_joint = C(X)+C(Y)−C(XY), MI_cond = C(Y)−C(Y|X) (for the panel C(Y|X) = C(XY)−C(X), so the two agree by construction; for ordermix C(Y|X) is measured by priming, independently). |diff| = |MI_joint − MI_cond|.\n\n");
        md.Append("| pair | compressor | C(X) | C(Y) | C(XY) | C(Y\\|X) | MI_joint | MI_cond | \\|diff\\| | NCD |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        var tsv = new StringBuilder("pair\tcompressor\tbitsX\tbitsY\tbitsXY\tbitsYGivenX\tmiJoint\tmiConditional\tncd\n");
        var panel = CodeLengthPanel.Create();
        foreach (var (pname, x, y) in pairs)
        {
            foreach (var c in panel)
            {
                var p = PairInfo.Measure(c, x, y);
                md.Append(CultureInfo.InvariantCulture, $"| {pname} | {c.Name} | {p.BitsX:F0} | {p.BitsY:F0} | {p.BitsXY:F0} | {p.BitsYGivenX:F0} | {p.MiJoint:F0} | {p.MiConditional:F0} | {Math.Abs(p.MiJoint - p.MiConditional):F2} | {p.Ncd:F3} |\n");
                tsv.Append(CultureInfo.InvariantCulture, $"{pname}\t{c.Name}\t{p.BitsX:R}\t{p.BitsY:R}\t{p.BitsXY:R}\t{p.BitsYGivenX:R}\t{p.MiJoint:R}\t{p.MiConditional:R}\t{p.Ncd:R}\n");
            }
            Console.Error.WriteLine(pname);
        }
        md.Append("\nKolmogorov upper bounds K(x) ≤ C(x) + 8·|D| (bits), English UDHR (10650 bytes):\n\n| compressor | C(x) bits | |D| bytes | bound bits | adjusted rate |\n|---|---:|---:|---:|---:|\n");
        var eng = R("eng.txt");
        foreach (var c in panel)
        {
            double b = c.Bits(eng);
            md.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {b:F0} | {c.DecompressorBytes} | {b + 8.0 * c.DecompressorBytes:F0} | {Measures.AdjustedCompressionRate(b, c.DecompressorBytes, eng.Length):F2} |\n");
        }
        var kb = Measures.KolmogorovUpperBound(panel, eng);
        md.Append(CultureInfo.InvariantCulture, $"\nBest bound: {kb.Compressor}, {kb.TotalBits:F0} bits.\n");
        Save("claims", md.ToString(), tsv.ToString());
        return 0;
    }
}
