using System.Globalization;
using System.Net;
using System.Text;
using Kolmo.Decipher;
using Kolmo.Experiments;

namespace Kolmo.Reporting;

/// <summary>
/// report.html of <c>kolmo tour</c>: one self-contained page (figures as PNG data URIs, styles inline, no script, no
/// network) with, for each chapter run, its claim, the numbers this run measured, its figures, a verdict computed from
/// those numbers and the <c>kolmo</c> commands that repeat it on the reader's own data. Every number on the page comes
/// from the <see cref="TourResults"/> record.
/// </summary>
public static class TourReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Pixel density of the embedded figures.</summary>
    public const double FigureScale = 2;

    /// <summary>The HTML page.</summary>
    /// <param name="r">The tour's results.</param>
    /// <param name="command">The command line that produced them (shown in the header), if known.</param>
    public static string Html(TourResults r, string? command = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<title>Kolmo tour: compression is prediction</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<header>\n");
        h.Append("<h1>Kolmo tour</h1>\n<p class=\"lede\">Compression is prediction, and a good compressor is an unsupervised learner. Each chapter below states one claim of that theory, measures it on data built into Kolmo, and shows the <code>kolmo</code> command that repeats the measurement on your own files. Every number on this page was measured by the run described here.</p>\n");
        h.Append("<table class=\"meta\">");
        Row(h, "run", $"{E(r.Preset)} preset, seed {r.Seed}, {r.Threads} thread{(r.Threads == 1 ? "" : "s")}, started {r.StartedUtc.ToString("yyyy-MM-dd HH:mm", Inv)} UTC");
        Row(h, "time", $"{Seconds(r.Cost.Seconds)} wall, {Seconds(r.Cost.CpuSeconds)} CPU");
        Row(h, "machine", E($"{r.Machine.Cpu}, {r.Machine.LogicalCores} logical cores; {r.Machine.Os}; {r.Machine.Runtime}"));
        Row(h, "kolmo", E(r.Machine.Version) + (command is null ? "" : $" — <code>{E(command)}</code>"));
        h.Append("</table>\n<nav><ol>\n");
        foreach (var (id, title, _) in Sections(r))
        {
            h.Append(Inv, $"<li><a href=\"#{id}\">{E(title)}</a></li>\n");
        }
        h.Append("</ol></nav>\n</header>\n<main>\n");
        int n = 0;
        foreach (var (id, title, write) in Sections(r))
        {
            h.Append(Inv, $"<section id=\"{id}\">\n<h2><span class=\"num\">{++n}</span> {E(title)}</h2>\n");
            write(h);
            h.Append("</section>\n");
        }
        h.Append("</main>\n<footer>Written by <code>kolmo tour</code>. Every figure and number is also in <code>report.json</code>, beside this page. The theory behind each chapter: Kolmo's docs/THEORY.md.</footer>\n</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>
    /// The headline numbers of each chapter as they appear on the page (chapter id → texts), so a reader or a test
    /// can find them.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Headlines(TourResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var d = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (r.Prediction is { } p)
        {
            d["prediction"] = [.. p.Models.SelectMany(m => new[] { Bpb(m.BitsPerByte), N0(m.FileBytes) })];
        }
        if (r.SharedInformation is { } s)
        {
            d["shared-information"] = [.. s.Pairs.Select(x => N0(x.Measures[^1].SharedBits))];
        }
        if (r.Kolmogorov is { } k)
        {
            d["kolmogorov"] = [.. k.Best.Select(b => N0(b.BoundBits))];
        }
        if (r.LanguageTree is { } t)
        {
            d["language-tree"] = [.. t.Purity.SelectMany(x => new[] { F3(x.Upgma), F3(x.NeighborJoining) })];
        }
        if (r.Classification is { } c)
        {
            d["classification"] = [.. c.Classifiers.Select(x => Pct(x.Accuracy))];
        }
        if (r.DescriptionLength is { } m)
        {
            d["description-length"] = [.. m.Mdl.Select(x => N0(x.PrequentialBits)), .. m.Transfer.Select(x => Pct(x.SavedFraction))];
        }
        if (r.Decipher is { } q)
        {
            d["decipher"] = [.. q.Points.Select(x => Pct(x.MeanError)), Pct(q.Showcase.Error)];
        }
        if (r.NextPixel is { } x)
        {
            d["next-pixel"] = [Pct(x.Igpt.RawPixels.TestAccuracy), .. x.Points.Select(m => F3(m.TestBits)), .. x.Points.Select(m => Pct(m.Mean.TestAccuracy))];
        }
        if (r.Occam is { } o)
        {
            d["occam"] = [Pct(o.Best.Bound), Pct(o.Best.TestError), N0(o.Best.Bits)];
        }
        return d;
    }

    private static IEnumerable<(string Id, string Title, Action<StringBuilder> Write)> Sections(TourResults r)
    {
        string T(string id) => Tour.Chapters.First(c => c.Id == id).Title;
        if (r.Prediction is { } p)
        {
            yield return ("prediction", T("prediction"), h => Prediction(h, p));
        }
        if (r.SharedInformation is { } s)
        {
            yield return ("shared-information", T("shared-information"), h => SharedInformation(h, s));
        }
        if (r.Kolmogorov is { } k)
        {
            yield return ("kolmogorov", T("kolmogorov"), h => Kolmogorov(h, k));
        }
        if (r.LanguageTree is { } t)
        {
            yield return ("language-tree", T("language-tree"), h => LanguageTree(h, t));
        }
        if (r.Classification is { } c)
        {
            yield return ("classification", T("classification"), h => Classification(h, c));
        }
        if (r.DescriptionLength is { } m)
        {
            yield return ("description-length", T("description-length"), h => DescriptionLength(h, m));
        }
        if (r.Decipher is { } q)
        {
            yield return ("decipher", T("decipher"), h => Decipher(h, q));
        }
        if (r.NextPixel is { } x)
        {
            yield return ("next-pixel", T("next-pixel"), h => NextPixel(h, x));
        }
        if (r.Occam is { } o)
        {
            yield return ("occam", T("occam"), h => Occam(h, o));
        }
    }

    // ------------------------------------------------------------------ chapters

    private static void Prediction(StringBuilder h, PredictionResult r)
    {
        Claim(h, "A model that gives the next symbol a probability p is a compressor: an arithmetic coder spends −log<sub>2</sub> p bits on it, so the size of the compressed file is the model's log-loss on the data. Read backwards, every compressor is a predictor — and the same model, fed random bits instead of a file, is a generator.");
        Data(h, r.Source, r.Cost);
        h.Append("<table class=\"num\"><thead><tr><th>model</th><th>log-loss −Σ log<sub>2</sub> p (bits)</th><th>bits per byte</th><th>.kolmo file (bytes)</th><th>file − log-loss</th><th>decoded back</th></tr></thead><tbody>\n");
        foreach (var m in r.Models)
        {
            h.Append(Inv, $"<tr><td>{E(m.Model)} level {m.Level}</td><td>{N0(m.LogLossBits)}</td><td>{Bpb(m.BitsPerByte)}</td><td>{N0(m.FileBytes)}</td><td>{N0(m.OverheadBits)} bits ({Pct(m.OverheadBits / m.LogLossBits, 3)})</td><td>{(m.RoundTrip ? "identical" : "<strong>differs</strong>")}</td></tr>\n");
        }
        h.Append("</tbody></table>\n");
        Figure(h, Charts.Render(TourFigures.LearningCurves(r), scale: FigureScale), TourFigures.LearningCurves(r), "Bits per byte of each window of the text, for each model: the model learns as it codes, so later windows cost less.");
        h.Append("<h3>The same models as generators</h3>\n<p>After learning the text, each model was given the prompt below and sampled byte by byte from its own distribution (the decoding loop fed random bits instead of a file); <span class=\"junk\">·</span> marks bytes that are not text. A model learns from what it writes, so a weak one that strays into bytes it has rarely seen can lock into them.</p>\n");
        foreach (var s in r.Samples)
        {
            h.Append(Inv, $"<p class=\"sample-head\"><strong>{E(s.Model)}</strong>, seed {s.Seed}, {s.Bytes:N0} bytes, its own log-loss on them {Bpb(s.BitsPerByte)} bits per byte:</p>\n<pre class=\"sample\"><span class=\"prompt\">{E(s.Prompt.TrimStart())}</span>{SampleText(s.Text)}</pre>\n");
        }
        double worst = r.Models.Max(m => Math.Abs(m.OverheadBits / m.LogLossBits));
        bool ok = r.Models.All(m => m.RoundTrip) && worst < 0.01;
        Verdict(h, ok, ok
            ? $"Every file is within {Pct(worst, 3)} of its model's log-loss (the rest is the container's header and checksums and the coder's final bytes), and every file decodes back to the text."
            : $"The largest gap between file and log-loss is {Pct(worst, 3)}{(r.Models.All(m => m.RoundTrip) ? "" : ", and a file did not decode back")}.");
        var sample = r.Samples.LastOrDefault();
        Commands(h,
            "kolmo compress YOUR.txt -m cm -l 6 -o your.kolmo   # the model + arithmetic coder",
            "kolmo info your.kolmo                              # bits per byte of the file",
            "kolmo d your.kolmo -o back.txt && cmp back.txt YOUR.txt",
            sample is null ? "kolmo generate -m cm --data YOUR.txt -n 400 --seed 1"
                : $"kolmo generate -m {sample.Model} -l {r.Models.Last().Level} --data YOUR.txt --train-bytes {r.Bytes} --prompt \"{sample.Prompt}\" -n {sample.Bytes} --seed {sample.Seed}");
    }

    private static void SharedInformation(StringBuilder h, SharedInformationResult r)
    {
        Claim(h, "Compressing two related inputs together costs less than compressing them apart: C(X) + C(Y) − C(X,Y) estimates the information they share, and C(Y|X) — Y coded by a model that has already learned X — is smaller than C(Y) by about the same amount. For unrelated inputs both gaps are about zero. A stronger compressor sees more of what is shared, so the gap should grow with its strength.");
        h.Append("<p class=\"data\">Compressors are ordered by strength: bits per byte over all six inputs compressed one at a time. C(Y|X) is measured <em>by priming</em> for Kolmo's adaptive models (the model learns X without coding it, then codes Y — independently of C(X,Y)), and as C(XY) − C(X) for the others. ")
            .Append(Inv, $"{Cost(r.Cost)}</p>\n");
        Figure(h, Charts.Render(TourFigures.SharedBits(r), scale: FigureScale), TourFigures.SharedBits(r), "Bits saved by compressing each pair together, per compressor, weakest first.");
        foreach (var p in r.Pairs)
        {
            h.Append(Inv, $"<h3>{E(p.Name)}</h3>\n<p class=\"data\">X = {E(p.X)} ({p.XBytes:N0} bytes), Y = {E(p.Y)} ({p.YBytes:N0} bytes). Bits.</p>\n");
            h.Append("<table class=\"num\"><thead><tr><th>compressor</th><th>C(X)</th><th>C(Y)</th><th>C(X,Y)</th><th>shared C(X)+C(Y)−C(X,Y)</th><th>C(Y|X)</th><th>C(Y) − C(Y|X)</th><th>NCD</th></tr></thead><tbody>\n");
            foreach (var m in p.Measures)
            {
                h.Append(Inv, $"<tr><td>{E(m.Compressor)}{(m.ByPriming ? " <span class=\"tag\">primed</span>" : "")}</td><td>{N0(m.BitsX)}</td><td>{N0(m.BitsY)}</td><td>{N0(m.BitsXY)}</td><td>{N0(m.SharedBits)}</td><td>{N0(m.BitsYGivenX)}</td><td>{N0(m.ConditionalSavedBits)}</td><td>{F3(m.Ncd)}</td></tr>\n");
            }
            h.Append("</tbody></table>\n");
        }
        var related = r.Pairs.Where(p => p.Related).ToArray();
        var unrelated = r.Pairs.Where(p => !p.Related).ToArray();
        var primed = r.Pairs.SelectMany(p => p.Measures).Where(m => m.ByPriming).ToArray();
        var sb = new StringBuilder();
        foreach (var p in related)
        {
            sb.Append(Inv, $"{E(p.Name)}: Spearman ρ between strength and shared bits = {F2(p.StrengthCorrelation)} ({(p.StrengthCorrelation >= 0.5 ? "grows with strength" : "does not grow steadily with strength")}); ");
        }
        foreach (var p in unrelated)
        {
            var strongest = p.Measures[^1];
            sb.Append(Inv, $"{E(p.Name)}: the strongest compressor ({E(strongest.Compressor)}) finds {N0(strongest.SharedBits)} shared bits, {Pct(strongest.SharedBits / strongest.BitsY, 2)} of C(Y); the weakest ({E(p.Measures[0].Compressor)}) {N0(p.Measures[0].SharedBits)}. ");
        }
        if (primed.Length > 0)
        {
            sb.Append(Inv, $"Priming agrees with joint minus marginal: |shared − (C(Y) − C(Y|X))| ≤ {primed.Max(m => Math.Abs(m.SharedBits - m.ConditionalSavedBits)).ToString("F2", Inv)} bits for the primed models.");
        }
        bool ok = related.All(p => p.StrengthCorrelation >= 0.5) && unrelated.All(p => Math.Abs(p.Measures[^1].SharedBits) <= 0.01 * p.Measures[^1].BitsY);
        Verdict(h, ok, sb.ToString());
        Commands(h,
            "kolmo info X.txt Y.txt -c gzip,bzip2,zstd-19,lzma,order3,ordermix,cm",
            "kolmo info X.txt Y.txt --json    # every code length, per compressor");
    }

    private static void Kolmogorov(StringBuilder h, KolmogorovResult r)
    {
        Claim(h, "The Kolmogorov complexity K(x), the length of the shortest program that prints x, cannot be computed, but every compressor bounds it from above: K(x) ≤ C(x) + |D|, where |D| is the size of the decompressor needed to read C(x). On short inputs the decompressor dominates the bound; a compressor only pays for its size on inputs much longer than itself.");
        Data(h, $"prefixes of {r.Source}; |D| = the deflate-compressed size of the files that implement each decoder, as loaded in this run", r.Cost);
        Figure(h, Charts.Render(TourFigures.KolmogorovBounds(r), scale: FigureScale), TourFigures.KolmogorovBounds(r), "The bound per byte of x falls as x grows: the decompressor's size is spread over more bytes.");
        h.Append("<table class=\"num\"><thead><tr><th>compressor</th><th>|D| (bytes)</th>");
        foreach (int s in r.Sizes)
        {
            h.Append(Inv, $"<th>bound at {TourFigures.Size(s)} (bits)</th>");
        }
        h.Append("</tr></thead><tbody>\n");
        foreach (var row in r.Rows)
        {
            h.Append(Inv, $"<tr><td>{E(row.Compressor)}</td><td>{N0(row.DecompressorBytes)}</td>");
            for (int i = 0; i < r.Sizes.Count; i++)
            {
                bool best = r.Best[i].Compressor == row.Compressor;
                h.Append(Inv, $"<td>{(best ? "<strong>" : "")}{N0(row.BoundBits(i))}{(best ? "</strong>" : "")}<br><span class=\"small\">C(x) {N0(row.CompressedBits[i])}</span></td>");
            }
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table>\n");
        var first = r.Best[0];
        var last = r.Best[^1];
        bool ok = last.BoundBits / last.Bytes < first.BoundBits / first.Bytes;
        string Smallest(KolmogorovBest b) => b.SmallestCompressor == b.Compressor ? "which also writes the smallest file" : $"although {E(b.SmallestCompressor)} writes the smallest file";
        Verdict(h, ok, $"At {TourFigures.Size(first.Bytes)} the tightest bound is {N0(first.BoundBits)} bits via {E(first.Compressor)}, {F1(first.BoundBits / first.Bytes)} bits per byte of x ({Smallest(first)}); at {TourFigures.Size(last.Bytes)} it is {N0(last.BoundBits)} bits via {E(last.Compressor)}, {F2(last.BoundBits / last.Bytes)} bits per byte ({Smallest(last)}).");
        Commands(h, "kolmo info X.txt X.txt -c gzip,bzip2,brotli,zstd-19,lzma,order3,cm", "# its last line: K(X) <= ... bits via the compressor of the tightest bound");
    }

    private static void LanguageTree(StringBuilder h, LanguageTreeResult r)
    {
        Claim(h, "The normalised compression distance NCD(x,y) = (C(xy) − min(C(x),C(y))) / max(C(x),C(y)) approximates a universal similarity metric: with no knowledge of languages, clustering translations of one text by NCD recovers the language families (Cilibrasi &amp; Vitányi, 2005).");
        Data(h, $"the Universal Declaration of Human Rights in {r.Languages.Count} languages, {N0(r.Bytes.Sum())} bytes; NCD by {r.Compressor}, {r.Pairs:N0} pairs", r.Cost);
        var tree = r.Upgma.ToTreeNode();
        var names = r.Languages.ToDictionary(l => l.Code, l => l.Name);
        var groups = r.Languages.ToDictionary(l => l.Code, l => l.Branch);
        FigureRaw(h, DistanceFigures.Dendrogram(tree, $"UPGMA tree on NCD ({r.Compressor})", false, groups, names, FigureScale), $"UPGMA tree of the {r.Languages.Count} languages, coloured by branch.");
        FigureRaw(h, DistanceFigures.Heatmap(r.ToMatrix(), $"NCD ({r.Compressor}), rows in tree order", false, tree, names, FigureScale), "NCD matrix in the tree's leaf order: related languages form dark blocks. The colour scale spans the off-diagonal values; the diagonal NCD(x,x) is grey.");
        h.Append("<table class=\"num\"><thead><tr><th>classes</th><th>clusters</th><th>UPGMA purity</th><th>neighbour-joining purity</th><th>one cluster (baseline)</th></tr></thead><tbody>\n");
        foreach (var p in r.Purity)
        {
            h.Append(Inv, $"<tr><td>{E(p.Classes)}</td><td>{p.Count}</td><td>{F3(p.Upgma)}</td><td>{F3(p.NeighborJoining)}</td><td>{F3(p.OneCluster)}</td></tr>\n");
        }
        h.Append("</tbody></table>\n<p class=\"data\">Purity: cut the tree into as many clusters as there are classes; the share of languages that belong to their cluster's majority class.</p>\n");
        var branch = r.Purity.FirstOrDefault(p => p.Classes == "branch") ?? r.Purity[^1];
        double best = Math.Max(branch.Upgma, branch.NeighborJoining);
        bool ok = best >= branch.OneCluster + (1 - branch.OneCluster) / 2;
        Verdict(h, ok, $"Cut into {branch.Count} clusters, the trees reach purity {F3(branch.Upgma)} (UPGMA) and {F3(branch.NeighborJoining)} (neighbour joining) against the {r.Languages.Count} languages' {branch.Count} branches; one cluster scores {F3(branch.OneCluster)}{(ok ? ", so the trees close more than half the gap between that baseline and a perfect tree" : "")}.");
        Commands(h,
            "kolmo ncd texts/ -c ordermix --out ncd.tsv --plot ncd.png   # texts/: one file per language",
            "kolmo cluster ncd.tsv --method upgma --out tree.nwk --plot tree.png \\",
            "    --labels index.tsv --label-column 6                    # purity against column 6 of index.tsv");
    }

    private static void Classification(StringBuilder h, ClassificationResult r)
    {
        Claim(h, "A compressor classifies without being taught features: give a document the class whose model codes it in the fewest bits. Priming one adaptive model per class costs one pass over the training data, and each test document is then coded once per class — far cheaper than nearest neighbours by NCD, which compress the document together with every training document.");
        Data(h, $"{r.Data}", r.Cost);
        Figure(h, Charts.Render(TourFigures.Classification(r), scale: FigureScale), TourFigures.Classification(r), "Accuracy against CPU time per test document (training included).");
        h.Append("<table class=\"num\"><thead><tr><th>method</th><th>test docs</th><th>accuracy</th><th>macro-F1</th><th>CPU ms per doc</th><th>confusion (rows: truth " + string.Join(", ", r.Labels.Select(E)) + ")</th></tr></thead><tbody>\n");
        foreach (var c in r.Classifiers)
        {
            string same = double.IsFinite(c.ConditionalAccuracySameDocs) ? $"<br><span class=\"small\">conditional on the same docs: {Pct(c.ConditionalAccuracySameDocs)}</span>" : "";
            h.Append(Inv, $"<tr><td>{E(TourFigures.Name(c))}</td><td>{c.Docs}</td><td>{Pct(c.Accuracy)}{same}</td><td>{F3(c.MacroF1)}</td><td>{F1(c.CpuMsPerDoc)}</td><td>{string.Join(" / ", c.Confusion.Select(row => string.Join(" ", row)))}</td></tr>\n");
        }
        h.Append(Inv, $"</tbody></table>\n<p class=\"data\">Majority-class baseline: {Pct(r.MajorityBaseline)}.</p>\n");
        var cond = r.Classifiers.Where(c => c.Method == "conditional").ToArray();
        var knn = r.Classifiers.Where(c => c.Method == "ncd-knn").ToArray();
        var text = new StringBuilder();
        bool ok = cond.Length > 0 && knn.Length > 0;
        foreach (var k in knn)
        {
            var same = cond.FirstOrDefault(c => c.Compressor == k.Compressor) ?? cond.FirstOrDefault();
            if (same is null)
            {
                continue;
            }
            double speed = k.CpuMsPerDoc / Math.Max(same.CpuMsPerDoc, 1e-9);
            ok &= speed > 1;
            text.Append(Inv, $"Class-conditional {E(same.Compressor)} is {F1(speed)}× cheaper per document than {E(TourFigures.Name(k))} ({Pct(same.Accuracy)} vs {Pct(k.Accuracy)} accuracy). ");
        }
        Verdict(h, ok, text.ToString());
        Commands(h,
            "# train.tsv, test.tsv: label<TAB>text lines (or folders of CLASS/DOC files)",
            "kolmo classify --train train.tsv --test test.tsv --method conditional -c ordermix",
            "kolmo classify --train train.tsv --test test.tsv --method knn -c deflate -k 1",
            "kolmo classify --train train.tsv --test test.tsv --method knn -c ordermix --sample 40");
    }

    private static void DescriptionLength(StringBuilder h, DescriptionLengthResult r)
    {
        Claim(h, "Minimum description length: the best model is the one that describes the data in the fewest bits. Sending a network's weights (two-part code) grows with its size; coding the data while the network learns from it (prequential code, no weights sent) gets shorter as the network grows — why large networks still generalise (Blier &amp; Ollivier, 2018). What a model learned elsewhere is measured the same way: C(Y) − C(Y|X) bits saved by first learning X.");
        Data(h, $"MDL: {r.MdlSource}. Transfer: target {r.TransferTarget}", r.Cost);
        Figure(h, Charts.Render(TourFigures.Mdl(r), scale: FigureScale), TourFigures.Mdl(r), "Code lengths of the same text as the model grows: count models of order 0–2, then LSTMs of growing width.");
        h.Append("<table class=\"num\"><thead><tr><th>model</th><th>parameters</th><th>uniform</th><th>two-part</th><th>of which weights</th><th>prequential</th></tr></thead><tbody>\n");
        foreach (var p in r.Mdl)
        {
            h.Append(Inv, $"<tr><td>{E(p.Spec)}</td><td>{N0(p.Parameters)}</td><td>{N0(p.UniformBits)}</td><td>{N0(p.TwoPartBits)}</td><td>{N0(p.WeightBits)}</td><td>{N0(p.PrequentialBits)}</td></tr>\n");
        }
        h.Append("</tbody></table>\n");
        Figure(h, Charts.Render(TourFigures.Transfer(r), scale: FigureScale), TourFigures.Transfer(r), "Bits saved on the target by learning each source first, as a share of C(Y).");
        h.Append("<table class=\"num\"><thead><tr><th>model</th><th>source X</th><th>C(Y)</th><th>C(Y|X)</th><th>saved</th></tr></thead><tbody>\n");
        foreach (var t in r.Transfer)
        {
            h.Append(Inv, $"<tr><td>{E(t.Model)}</td><td>{E(t.Source)} <span class=\"tag\">{E(t.Kind)}</span></td><td>{N0(t.AloneBits)}</td><td>{N0(t.PrimedBits)}</td><td>{N0(t.SavedBits)} bits ({Pct(t.SavedFraction)})</td></tr>\n");
        }
        h.Append("</tbody></table>\n");
        var lstm = r.Mdl.Where(p => p.Family == "lstm").ToArray();
        var text = new StringBuilder();
        bool ok = true;
        if (lstm.Length >= 2)
        {
            bool preq = lstm[^1].PrequentialBits < lstm[0].PrequentialBits, two = lstm[^1].TwoPartBits > lstm[0].TwoPartBits;
            ok &= preq && two;
            text.Append(Inv, $"From {E(lstm[0].Spec.Split(',')[0])} to {E(lstm[^1].Spec.Split(',')[0])} the prequential code goes {N0(lstm[0].PrequentialBits)} → {N0(lstm[^1].PrequentialBits)} bits and the two-part code {N0(lstm[0].TwoPartBits)} → {N0(lstm[^1].TwoPartBits)}. ");
        }
        foreach (var model in r.Transfer.Select(t => t.Model).Distinct())
        {
            var rel = r.Transfer.Where(t => t.Model == model && t.Kind == "related").MaxBy(t => t.SavedFraction);
            var un = r.Transfer.FirstOrDefault(t => t.Model == model && t.Kind == "unrelated");
            if (rel is not null && un is not null)
            {
                ok &= rel.SavedFraction > un.SavedFraction;
                text.Append(Inv, $"{E(model)}: related text saves up to {Pct(rel.SavedFraction)}, random bytes {Pct(un.SavedFraction)}. ");
            }
        }
        Verdict(h, ok, text.ToString());
        Commands(h,
            "kolmo mdl --data YOUR.txt --model lstm --sizes 8,16,32,64 --bytes 20000 --block 32 --epochs 2 --out mdl",
            "kolmo mdl --data YOUR.txt --model order --sizes 0,1,2 --bytes 20000 --out mdl-order",
            "kolmo transfer --target Y.txt --sources X1.txt X2.txt random:100000 --models order2,cm,nn \\",
            "    --target-bytes 50000 --source-bytes 100000 --out transfer");
    }

    private static void Decipher(StringBuilder h, DecipherResult r)
    {
        Claim(h, "Unsupervised distribution matching: a substitution cipher is solved by the key whose plaintext a language model compresses best — no key, no crib, no parallel text. With too little ciphertext many keys compress equally well; the error falls as the cipher grows.");
        Data(h, $"model: {r.Model}, {N0(r.TrainingLetters)} letters. Ciphers: random keys on windows of {r.HeldOut} ({N0(r.HeldOutLetters)} letters); {r.Restarts} annealing restarts per solve", r.Cost);
        var s = r.Showcase;
        h.Append(Inv, $"<h3>A {s.Ciphertext.Length}-letter cipher, solved</h3>\n<p class=\"data\">Ciphertext:</p>\n<pre class=\"cipher\">{E(Lines(s.Ciphertext))}</pre>\n<p class=\"data\">Plaintext found ({Pct(s.Error)} of letters wrong; {s.Agreement} of {s.Restarts} restarts agree; {F3(s.FoundBitsPerLetter)} bits per letter under the model, the true plaintext {F3(s.TrueBitsPerLetter)}):</p>\n<pre class=\"plain\">{E(Lines(s.Found))}</pre>\n");
        Figure(h, Charts.Render(TourFigures.Decipher(r), scale: FigureScale), TourFigures.Decipher(r), "Mean share of letters wrong, and share of ciphers not solved, against the cipher's length.");
        h.Append("<table class=\"num\"><thead><tr><th>letters</th><th>ciphers</th><th>mean symbol error</th><th>solved</th><th>CPU s per solve</th></tr></thead><tbody>\n");
        foreach (var p in r.Points)
        {
            h.Append(Inv, $"<tr><td>{p.Length}</td><td>{p.Keys}</td><td>{Pct(p.MeanError)}</td><td>{Pct(p.Solved)}</td><td>{F2(p.MeanCpuSeconds)}</td></tr>\n");
        }
        h.Append("</tbody></table>\n");
        // the shortest length from which every cipher of every longer length in this run was solved
        int? solvedFrom = null;
        for (int i = r.Points.Count - 1; i >= 0 && r.Points[i].Solved >= 1; i--)
        {
            solvedFrom = r.Points[i].Length;
        }
        bool ok = s.Error <= RandomSubstitution.SolvedError && r.Points[^1].MeanError < r.Points[0].MeanError;
        Verdict(h, ok, $"The {s.Ciphertext.Length}-letter cipher is {(s.Error <= RandomSubstitution.SolvedError ? "solved" : "not solved")} ({Pct(s.Error)} of letters wrong). Mean error falls from {Pct(r.Points[0].MeanError)} at {r.Points[0].Length} letters to {Pct(r.Points[^1].MeanError)} at {r.Points[^1].Length}{(solvedFrom is null ? "" : $"; every cipher of {solvedFrom} letters or more was solved")}.");
        Commands(h,
            "kolmo decipher cipher.txt                      # the built-in English model",
            "kolmo decipher cipher.txt --corpus text.txt    # a model of another language",
            "kolmo decipher x.txt --corpus y.txt --match    # map X's symbols onto Y's");
    }

    private static void NextPixel(StringBuilder h, NextPixelResult r)
    {
        var g = r.Igpt;
        var o = g.Options;
        var pts = r.Points;
        var first = pts[0];
        var last = pts[^1];
        Claim(h, "A network trained only to predict the next pixel of images — that is, to compress them — learns features from which a linear classifier reads what the image shows better than from the raw pixels, and the better it predicts (fewer bits per pixel), the better its features (iGPT: Chen et al., 2020, \"Generative Pretraining from Pixels\").");
        Data(h, $"{r.Data}: the first {r.TrainImages:N0} train the model and the probes, the last {r.TestImages:N0} test; images downsampled to {g.Data.GetValueOrDefault("resolution", "?")} and quantised to a {o.PaletteSize}-level palette. A {g.FinalSize} transformer ({last.Parameters:N0} parameters) trained for {o.Steps} steps of {o.Batch} images ({F1(last.Epochs)} epochs); at every checkpoint a linear probe (L2 logistic regression, λ and layer chosen on a held-out {Pct(o.Probe.ValidationFraction, 0)}) on every layer's features, mean-pooled as in iGPT and pooled over a {o.ProbeGrid}×{o.ProbeGrid} grid; the same probe on raw pixels", r.Cost);
        Figure(h, Charts.Render(TourFigures.NextPixel(r), scale: FigureScale), TourFigures.NextPixel(r), "Each checkpoint as a point: test bits per pixel of the model against the accuracy of the probe on its features; the dotted line is the same probe on raw pixels.");
        h.Append("<table class=\"num\"><thead><tr><th>features</th><th>training steps (epochs)</th><th>test bits per pixel</th><th>probe, mean-pooled (layer)</th>");
        bool grid = pts.All(m => m.Grid is not null);
        if (grid)
        {
            h.Append(Inv, $"<th>probe, {E(first.Grid!.Pooling)}-pooled (layer)</th>");
        }
        h.Append("</tr></thead><tbody>\n");
        h.Append(Inv, $"<tr><td>raw pixels ({g.RawPixels.Features} per image)</td><td>–</td><td>–</td><td colspan=\"{(grid ? 2 : 1)}\">{Pct(g.RawPixels.TestAccuracy)}</td></tr>\n");
        foreach (var m in pts)
        {
            h.Append(Inv, $"<tr><td>{(m.Step == 0 ? "untrained network" : "next-pixel network")}</td><td>{m.Step} ({F2(m.Epochs)})</td><td>{F3(m.TestBits)}</td><td>{Pct(m.Mean.TestAccuracy)} ({m.Mean.BestLayer})</td>");
            if (grid)
            {
                h.Append(Inv, $"<td>{Pct(m.Grid!.TestAccuracy)} ({m.Grid.BestLayer})</td>");
            }
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table>\n");
        if (g.Compression is { } c)
        {
            string baselines = string.Join(", ", c.Baselines.OrderBy(b => b.Value).Select(b => $"{E(b.Key)} {F3(b.Value)}"));
            h.Append(Inv, $"<p>The trained model drives the range coder: {c.Images} test images ({c.Pixels:N0} pixels) take <strong>{F3(c.CodedBitsPerDim)} bits per pixel</strong> (its log-loss on them: {F3(c.ModelBitsPerDim)}), and {c.DecodedImages} of {c.Images} decode back identical. Other coders on the same palette indices, bits per pixel: {baselines}.</p>\n");
        }
        if (g.Completions is { } comp && comp.Originals.Count > 0)
        {
            var rows = comp.Originals.Select((x, i) => new[] { x }.Concat(comp.Completions[i]).ToArray()).ToArray();
            var png = GreyPng.Grid(rows, comp.Height, comp.Width, (int)(4 * FigureScale), comp.GivenRows);
            h.Append(Inv, $"<h3>Completions</h3>\n<p>Each row: a test image, then the trained model's completions of it given the rows above the red line ({comp.GivenRows} of {comp.Height}), sampled pixel by pixel from its own distribution. The true bottom halves cost it {F3(comp.BottomHalfBits)} bits per pixel given the top halves; top halves {F3(comp.TopHalfBits)}.</p>\n");
            FigureRaw(h, png, "Test images (left) and sampled completions of their bottom halves.");
        }
        var bestTrained = pts.Where(m => m.Step > 0).MaxBy(m => NextPixelResult.BestProbe(m))!;
        double best = NextPixelResult.BestProbe(bestTrained), untrained = NextPixelResult.BestProbe(first), raw = g.RawPixels.TestAccuracy;
        bool ok = best > raw && best > untrained && last.TestBits < first.TestBits;
        Verdict(h, ok, $"Training took the test cost from {F3(first.TestBits)} to {F3(last.TestBits)} bits per pixel. The best probe on the trained network's features reaches {Pct(best)} (step {bestTrained.Step}), against {Pct(raw)} on raw pixels and {Pct(untrained)} on the untrained network's features{(best > raw ? "" : " — this budget is too small for the features to beat raw pixels; kolmo igpt --full trains longer")}.");
        Commands(h,
            $"{r.Command}   # this chapter, on the built-in sample",
            "kolmo igpt --train-images YOUR-images-idx3-ubyte.gz --train-labels YOUR-labels-idx1-ubyte \\",
            "           --sizes 1x32,1x64,2x64 --steps 1000 --out igpt-yours        # your images, the loss–probe curve over sizes");
    }

    private static void Occam(StringBuilder h, OccamResult r)
    {
        Claim(h, "A model that can be written down in b bits generalises: with probability at least 1 − δ over m training samples, its test error is at most its training error + sqrt((b ln 2 + ln(1/δ)) / 2m) — a union bound over the 2<sup>b</sup> models that b bits can name. Written as 32-bit floats, even a small model makes this vacuous; compressed first, the same model gets a bound that means something.");
        Data(h, $"{r.Data}: the first {r.TrainImages:N0} train (m), the other {r.TestImages:N0} test; a multinomial logistic regression on {r.Features} pooled pixels, {r.Classes} classes, {r.Parameters:N0} parameters; δ = {r.Delta.ToString("G3", Inv)}, paid for trying {r.Points.Count} quantisation steps (ln(G/δ))", r.Cost);
        Figure(h, Charts.Render(TourFigures.Occam(r), scale: FigureScale), TourFigures.Occam(r), "Coarser parameters need fewer bits (b, under each step) and so shrink the bound, until rounding costs accuracy.");
        h.Append("<table class=\"num\"><thead><tr><th>parameters written as</th><th>b (bits)</th><th>train error</th><th>test error</th><th>Occam term</th><th>bound on test error</th></tr></thead><tbody>\n");
        h.Append(Inv, $"<tr><td>32-bit floats</td><td>{N0(32.0 * r.Parameters)}</td><td>{Pct(r.FloatTrainError)}</td><td>{Pct(r.FloatTestError)}</td><td>{F3(r.FloatBound - r.FloatTrainError)}</td><td>{Pct(r.FloatBound)}</td></tr>\n");
        foreach (var p in r.Points)
        {
            bool best = ReferenceEquals(p, r.Best) || p == r.Best;
            h.Append(Inv, $"<tr><td>step 2<sup>{Math.Log2(p.Step):0}</sup>, {p.Distinct} distinct values, entropy-coded</td><td>{N0(p.Bits)}</td><td>{Pct(p.TrainError)}</td><td>{Pct(p.TestError)}</td><td>{F3(p.Gap)}</td><td>{(best ? "<strong>" : "")}{Pct(p.Bound)}{(best ? "</strong>" : "")}</td></tr>\n");
        }
        h.Append("</tbody></table>\n");
        var b = r.Best;
        bool ok = b.Bound < 1 && b.TestError <= b.Bound;
        Verdict(h, ok, ok
            ? $"Non-vacuous: with probability ≥ {Pct(1 - r.Delta, 0)}, the probe written in {N0(b.Bits)} bits (step 2<sup>{Math.Log2(b.Step):0}</sup>) has test error ≤ {Pct(b.Bound)}; measured on held-out images: {Pct(b.TestError)}. As 32-bit floats ({N0(32.0 * r.Parameters)} bits) the bound is {Pct(r.FloatBound)}."
            : $"The best bound, {Pct(b.Bound)} at {N0(b.Bits)} bits, is {(b.Bound >= 1 ? "vacuous (≥ 100%): " + r.TrainImages.ToString("N0", Inv) + " training images are too few for a probe of this size" : "below the measured test error")}; as 32-bit floats it is {Pct(r.FloatBound)}.");
        Commands(h,
            $"kolmo bound --train-error {b.TrainError.ToString("G6", Inv)} --bits {b.Bits.ToString("F1", Inv)} --samples {r.TrainImages} --delta {(r.Delta / r.Points.Count).ToString("G4", Inv)}",
            $"kolmo bound --train-error {r.FloatTrainError.ToString("G6", Inv)} --params {r.Parameters} --bits-per-param 32 --samples {r.TrainImages}   # as 32-bit floats");
    }

    // ------------------------------------------------------------------ pieces

    private static void Claim(StringBuilder h, string html) => h.Append("<p class=\"claim\"><strong>Claim.</strong> ").Append(html).Append("</p>\n");

    private static void Data(StringBuilder h, string what, ChapterCost cost) =>
        h.Append("<p class=\"data\">Data: ").Append(E(what)).Append(". ").Append(Cost(cost)).Append("</p>\n");

    private static string Cost(ChapterCost c) => $"Measured in {Seconds(c.Seconds)} wall, {Seconds(c.CpuSeconds)} CPU.";

    private static void Verdict(StringBuilder h, bool holds, string html) =>
        h.Append(Inv, $"<p class=\"verdict {(holds ? "holds" : "partial")}\"><strong>{(holds ? "Verdict: holds." : "Verdict: holds only in part.")}</strong> {html}</p>\n");

    private static void Commands(StringBuilder h, params string[] lines)
    {
        h.Append("<p class=\"repro\">Repeat it on your own data:</p>\n<pre class=\"cmd\">");
        foreach (var l in lines)
        {
            h.Append(E(l)).Append('\n');
        }
        h.Append("</pre>\n");
    }

    private static void Figure(StringBuilder h, byte[] png, LineChart chart, string caption) => FigureRaw(h, png, caption, chart.Width, chart.Height);

    private static void Figure(StringBuilder h, byte[] png, BarChart chart, string caption) => FigureRaw(h, png, caption, chart.Width, chart.Height);

    private static void FigureRaw(StringBuilder h, byte[] png, string caption, int width = 0, int height = 0)
    {
        if (width == 0)
        {
            (width, height) = PngSize(png);
            width = (int)(width / FigureScale);
            height = (int)(height / FigureScale);
        }
        h.Append(Inv, $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" width=\"{width}\" height=\"{height}\" alt=\"{E(caption)}\"><figcaption>{E(caption)}</figcaption></figure>\n");
    }

    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        if (png.Length < 24)
        {
            return (0, 0);
        }
        static int Be(byte[] b, int o) => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
        return (Be(png, 16), Be(png, 20));
    }

    private static void Row(StringBuilder h, string key, string html) => h.Append(Inv, $"<tr><th>{key}</th><td>{html}</td></tr>");

    private static string Lines(string s, int width = 60)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i += width)
        {
            sb.Append(s.AsSpan(i, Math.Min(width, s.Length - i))).Append('\n');
        }
        return sb.ToString().TrimEnd('\n');
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Sampled text, escaped; what is not printable text (invalid UTF-8, control bytes) shows as "·", long runs as one count.</summary>
    private static string SampleText(string text)
    {
        var sb = new StringBuilder();
        int run = 0;
        void Flush()
        {
            if (run > 0)
            {
                sb.Append("<span class=\"junk\">").Append(run >= 8 ? $"⟨{run} × ·⟩" : new string('·', run)).Append("</span>");
                run = 0;
            }
        }
        foreach (char c in text)
        {
            if (c == '\uFFFD' || (char.IsControl(c) && c is not '\n' and not '\t') || char.IsSurrogate(c))
            {
                run++;
                continue;
            }
            Flush();
            sb.Append(E(c.ToString()));
        }
        Flush();
        return sb.ToString();
    }

    private static string Seconds(double s) => s >= 120 ? $"{s / 60:F1} min" : $"{s:F1} s";

    private static string N0(double v) => double.IsFinite(v) ? v.ToString("N0", Inv) : "–";

    private static string F1(double v) => double.IsFinite(v) ? v.ToString("F1", Inv) : "–";

    private static string F2(double v) => double.IsFinite(v) ? v.ToString("F2", Inv) : "–";

    private static string F3(double v) => double.IsFinite(v) ? v.ToString("F3", Inv) : "–";

    private static string Bpb(double v) => F3(v);

    private static string Pct(double v, int digits = 1) => double.IsFinite(v) ? (v * 100).ToString("F" + digits.ToString(Inv), Inv) + "%" : "–";

    private const string Css = """
        :root { --ink: #1d1d1f; --muted: #5f6368; --line: #e3e3e3; --accent: #0072B2; --ok: #009E73; --warn: #D55E00; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fafafa; font: 16px/1.55 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
        header, main, footer { max-width: 1000px; margin: 0 auto; padding: 0 28px; }
        header { padding-top: 36px; }
        h1 { font-size: 2.3em; margin: 0 0 .3em; letter-spacing: -.01em; }
        h2 { font-size: 1.55em; margin: 0 0 .6em; border-bottom: 2px solid var(--accent); padding-bottom: .25em; }
        h2 .num { display: inline-block; min-width: 1.5em; color: var(--accent); }
        h3 { font-size: 1.12em; margin: 1.4em 0 .4em; }
        .lede { font-size: 1.1em; color: #333; max-width: 52em; }
        table { border-collapse: collapse; margin: .8em 0 1.2em; font-size: .92em; }
        table.meta th { text-align: left; color: var(--muted); font-weight: normal; padding: 2px 14px 2px 0; vertical-align: top; }
        table.meta td { padding: 2px 0; }
        table.num { width: 100%; background: #fff; box-shadow: 0 0 0 1px var(--line); }
        table.num th, table.num td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
        table.num th:first-child, table.num td:first-child { text-align: left; }
        table.num thead th { background: #f2f5f8; font-weight: 600; }
        nav ol { columns: 2; padding-left: 1.4em; margin: 1em 0 0; }
        nav a { color: var(--accent); text-decoration: none; }
        section { background: #fff; margin: 28px 0; padding: 26px 30px 18px; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
        .claim { font-size: 1.04em; border-left: 4px solid var(--accent); padding: .2em 0 .2em 1em; margin: 0 0 1em; }
        .data, .small, figcaption { color: var(--muted); font-size: .9em; }
        .small { font-size: .82em; }
        figure { margin: 1.2em 0; text-align: center; }
        figure img { max-width: 100%; height: auto; }
        figcaption { margin-top: .3em; }
        .verdict { padding: .7em 1em; border-radius: 6px; background: #eef8f3; border-left: 4px solid var(--ok); }
        .verdict.partial { background: #fdf1ea; border-left-color: var(--warn); }
        .repro { margin-bottom: .3em; font-weight: 600; }
        pre { background: #f4f4f4; padding: 10px 14px; border-radius: 6px; overflow-x: auto; font: 13.5px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        pre.cmd { background: #1f2430; color: #e8e8e8; }
        pre.sample { white-space: pre-wrap; background: #fbf8ef; }
        pre.sample .prompt { color: var(--accent); font-weight: bold; }
        .junk { color: var(--warn); }
        pre.cipher { letter-spacing: .08em; }
        pre.plain { letter-spacing: .08em; background: #eef8f3; }
        .sample-head { margin-bottom: .2em; }
        .tag { font-size: .75em; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
        code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .92em; }
        footer { color: var(--muted); font-size: .9em; padding: 10px 28px 40px; }
        """;
}
