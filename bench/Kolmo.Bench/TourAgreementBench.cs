using System.Globalization;
using System.Text;
using Kolmo.Experiments;

namespace Kolmo.Bench;

public static partial class Program
{
    static partial void RegisterTour(IDictionary<string, (string Help, Func<string[], int> Run)> suites)
    {
        suites["tour-agreement"] = ("the bench suites info-udhr, info-sms, info-claims and decipher on the tour's own data, beside its report.json: tour-agreement REPORT.json [--work DIR]", TourAgreement.Run);
    }
}

/// <summary>
/// Runs the bench suites on the data a tour ran on (exported with <see cref="TourData.Export"/>) and sets their numbers
/// beside the ones in the tour's report.json, so a reader can see that the report and the suites agree.
/// </summary>
internal static class TourAgreement
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: tour-agreement REPORT.json [--work DIR]");
            return 2;
        }
        string report = Path.GetFullPath(args[0]);
        string work = Path.GetFullPath(args.Length >= 3 && args[1] == "--work" ? args[2] : Path.Combine(Path.GetTempPath(), "kolmo-tour-agreement"));
        var r = TourJson.Deserialize(File.ReadAllText(report));
        var options = r.Preset == "quick" ? TourOptions.Quick : TourOptions.Full;
        options = options with { Seed = r.Seed };
        string data = Path.Combine(work, "data");
        foreach (var (path, bytes) in TourData.Export(options))
        {
            string full = Path.Combine(data, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
        string repo = Environment.CurrentDirectory;
        Environment.CurrentDirectory = work;   // the suites write docs/bench/... relative to here, not into the repository
        var rows = new List<(string Chapter, string Quantity, string Report, string Bench)>();
        try
        {
            if (r.LanguageTree is { } t && t.Languages.Count == TourData.Languages().Count)
            {
                InfoBench.Udhr([data, "--compressors", t.Compressor]);
                var tsv = Latest("docs/bench", "information-udhr-*.tsv")[1].Split('\t');
                var fam = t.Purity.Single(p => p.Classes == "family");
                var br = t.Purity.Single(p => p.Classes == "branch");
                rows.Add(("language-tree", "UPGMA purity, families", F(fam.Upgma), F(D(tsv[2]))));
                rows.Add(("language-tree", "NJ purity, families", F(fam.NeighborJoining), F(D(tsv[3]))));
                rows.Add(("language-tree", "UPGMA purity, branches", F(br.Upgma), F(D(tsv[4]))));
                rows.Add(("language-tree", "NJ purity, branches", F(br.NeighborJoining), F(D(tsv[5]))));
            }
            if (r.Classification is { } c && c.TestDocs == 200)
            {
                var model = c.Classifiers.LastOrDefault(x => x.Method == "ncd-knn" && x.Docs < c.TestDocs);
                var knn = c.Classifiers.Where(x => x.Method == "ncd-knn" && x.Docs == c.TestDocs).Select(x => x.Compressor).ToArray();
                var cond = c.Classifiers.Where(x => x.Method == "conditional").Select(x => x.Compressor).ToArray();
                InfoBench.Classify([data, "--split", c.TrainDocs.ToString(Inv), "--knn-docs", c.TestDocs.ToString(Inv), "--model-knn-docs", (model?.Docs ?? 0).ToString(Inv),
                    "--compressors", string.Join(',', knn), "--conditional", string.Join(',', cond), "--model-knn", model?.Compressor ?? "ordermix"], "sms");
                var bench = Latest("docs/bench", "information-sms-*.tsv").Skip(1).Select(l => l.Split('\t')).Where(f => f.Length > 4).ToArray();
                foreach (var x in c.Classifiers)
                {
                    var b = bench.FirstOrDefault(f => f[0] == x.Method && f[1] == x.Compressor && int.Parse(f[3], Inv) == x.Docs);
                    rows.Add(("classification", $"{x.Method} {x.Compressor}, {x.Docs} docs: accuracy", F(x.Accuracy), b is null ? "–" : F(D(b[4]))));
                }
            }
            if (r.SharedInformation is { } s)
            {
                InfoBench.Claims([data]);
                var bench = Latest("docs/bench", "information-claims-*.tsv").Skip(1).Select(l => l.Split('\t')).Where(f => f[0] == "related (dan, nob)").ToArray();
                var pair = s.Pairs.First(p => p.X == "udhr/dan.txt");
                foreach (var m in pair.Measures)
                {
                    var b = bench.FirstOrDefault(f => f[1] == m.Compressor);
                    rows.Add(("shared-information", $"dan/nob, {m.Compressor}: C(X)+C(Y)−C(XY) bits", m.SharedBits.ToString("F1", Inv), b is null ? "–" : D(b[6]).ToString("F1", Inv)));
                }
            }
            if (r.Decipher is { } q)
            {
                int keys = q.Points.Max(p => p.Keys);
                DecipherBench.Run(["--held-out", Path.Combine(data, "languages/udhr/eng.txt"), "--lengths", string.Join(',', q.Points.Select(p => p.Length)),
                    "--n", keys.ToString(Inv), "--restarts", q.Restarts.ToString(Inv), "--homophonic", "0", "--no-baseline", "--no-scorers", "--out", "docs/bench"]);
                var bench = Latest("docs/bench", "decipher-*.tsv").Skip(1).Select(l => l.Split('\t')).Where(f => f[0] == "simple-sa").ToArray();
                foreach (var p in q.Points)
                {
                    var errors = bench.Where(f => int.Parse(f[1], Inv) == p.Length).Select(f => D(f[5])).ToArray();
                    rows.Add(("decipher", $"{p.Length} letters: mean symbol error", p.MeanError.ToString("P2", Inv), errors.Length == 0 ? "–" : errors.Average().ToString("P2", Inv)));
                }
            }
        }
        finally
        {
            Environment.CurrentDirectory = repo;
        }
        var md = new StringBuilder(InfoBench.Header("The tour's numbers beside the bench suites on the same data", $"dotnet run --project bench/Kolmo.Bench -c Release -- tour-agreement {string.Join(' ', args)}"));
        md.Append(Inv, $"Report: {report} ({r.Preset} preset, seed {r.Seed}, run {r.StartedUtc:yyyy-MM-dd HH:mm} UTC); data exported to {data}.\n\n");
        md.Append("| chapter | quantity | report.json | bench suite | equal |\n|---|---|---:|---:|:---:|\n");
        foreach (var (chapter, q, a, b) in rows)
        {
            md.Append(Inv, $"| {chapter} | {q} | {a} | {b} | {(a == b ? "yes" : "**no**")} |\n");
        }
        Console.WriteLine(md.ToString());
        Directory.CreateDirectory(Path.Combine(repo, "docs/bench"));
        string file = Path.Combine(repo, "docs/bench", $"tour-agreement-{DateTime.UtcNow:yyyy-MM-dd}.md");
        File.WriteAllText(file, md.ToString());
        Console.WriteLine($"written: {file}");
        return rows.All(x => x.Report == x.Bench) ? 0 : 1;
    }

    private static string[] Latest(string dir, string pattern) =>
        File.ReadAllLines(Directory.GetFiles(dir, pattern).OrderBy(File.GetLastWriteTimeUtc).Last());

    private static double D(string s) => double.Parse(s, Inv);

    private static string F(double v) => v.ToString("F4", Inv);
}
