using System.Globalization;
using Kolmo.Decipher;
using Kolmo.Experiments;

namespace Kolmo.Reporting;

/// <summary>The charts of the tour's chapters, built from their result records (rendered by <see cref="Charts"/>).</summary>
public static class TourFigures
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Log-loss along the text, bits per byte of each window, one line per model.</summary>
    public static LineChart LearningCurves(PredictionResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new LineChart("Log-loss along the text (the model learns as it codes)", "position in the text (KB)", "bits per byte in the window",
            [.. r.Curves.Select(c => new ChartSeries(c.Model, [.. c.WindowEnd.Select(e => e / 1000.0)], c.BitsPerByte))])
        {
            MarkerSize = 4,
            Height = 420,
        };
    }

    /// <summary>C(X) + C(Y) − C(X, Y) in kbit per compressor (weakest first), one line per pair.</summary>
    public static LineChart SharedBits(SharedInformationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var order = r.Strength.Select(s => s.Compressor).ToList();
        double[] xs = [.. Enumerable.Range(0, order.Count).Select(i => (double)i)];
        return new LineChart("Shared information C(X) + C(Y) − C(X,Y), compressors weakest → strongest", "", "kbit saved by compressing together",
            [.. r.Pairs.Select((p, i) => new ChartSeries(p.Name, xs, [.. order.Select(c => p.Measures.First(m => m.Compressor == c).SharedBits / 1000)],
                p.Related ? LineStyle.Solid : LineStyle.Dashed, i))])
        {
            XTicks = [.. r.Strength.Select((s, i) => new AxisTick(i, $"{s.Compressor}\n{s.BitsPerByte:F2} bpb"))],
            ReferenceLines = [new ReferenceLine(0, null, LineStyle.Solid)],
            Legend = LegendPlacement.Bottom,
            Width = 900,
            Height = 520,
        };
    }

    /// <summary>The Kolmogorov bound in bits per byte of x against |x|, both on log scales, one line per compressor.</summary>
    public static LineChart KolmogorovBounds(KolmogorovResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double[] xs = [.. r.Sizes.Select(s => Math.Log10(s))];
        var series = r.Rows.Select((row, i) => new ChartSeries($"{row.Compressor} (|D| = {row.DecompressorBytes / 1000.0:N0} kB)", xs,
            [.. r.Sizes.Select((s, k) => Math.Log10(row.BoundBits(k) / s))], LineStyle.Solid, i)).ToArray();
        double lo = Math.Floor(series.Min(s => s.Y.Min())), hi = Math.Ceiling(series.Max(s => s.Y.Max()));
        var yTicks = new List<AxisTick>();
        for (double e = lo; e <= hi; e++)
        {
            yTicks.Add(new AxisTick(e, Math.Pow(10, e).ToString("N0", Inv)));
        }
        return new LineChart("Upper bound on K(x): (C(x) + 8·|D|) / |x|", "length of x (bytes, log scale)", "bits per byte of x (log scale)", series)
        {
            XTicks = [.. r.Sizes.Select(s => new AxisTick(Math.Log10(s), Size(s)))],
            YTicks = yTicks,
            YRange = (lo, hi),
            Width = 900,
            Height = 520,
        };
    }

    /// <summary>Accuracy against CPU milliseconds per document (log scale), one point per classifier.</summary>
    public static LineChart Classification(ClassificationResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var series = r.Classifiers.Select((c, i) => new ChartSeries(Name(c), [Math.Log10(Math.Max(c.CpuMsPerDoc, 1e-3))], [c.Accuracy * 100], LineStyle.None, i)).ToArray();
        double lo = Math.Floor(series.Min(s => s.X[0])), hi = Math.Ceiling(series.Max(s => s.X[0]));
        if (hi - lo < 1)
        {
            hi = lo + 1;
        }
        var xTicks = new List<AxisTick>();
        for (double e = lo; e <= hi; e++)
        {
            double ms = Math.Pow(10, e);
            xTicks.Add(new AxisTick(e, ms >= 1000 ? $"{ms / 1000:G3} s" : $"{ms:G3} ms"));
        }
        return new LineChart("Accuracy against cost", "CPU time per test document (log scale)", "accuracy (%)", series)
        {
            XTicks = xTicks,
            ReferenceLines = [new ReferenceLine(r.MajorityBaseline * 100, "majority class")],
            MarkerSize = 12,
            Width = 900,
            Height = 460,
        };
    }

    /// <summary>Uniform, two-part and prequential code lengths (kbit) per model size.</summary>
    public static LineChart Mdl(DescriptionLengthResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double[] xs = [.. Enumerable.Range(0, r.Mdl.Count).Select(i => (double)i)];
        return new LineChart($"Description length of {r.MdlBytes:N0} bytes of English as the model grows", "", "code length (kbit)",
        [
            new ChartSeries("uniform (8 bits per byte)", xs, [.. r.Mdl.Select(p => p.UniformBits / 1000)], LineStyle.Dotted, 6),
            new ChartSeries("two-part: weights + data", xs, [.. r.Mdl.Select(p => p.TwoPartBits / 1000)], LineStyle.Solid, 1),
            new ChartSeries("  of which weights", xs, [.. r.Mdl.Select(p => p.WeightBits / 1000)], LineStyle.Dashed, 1),
            new ChartSeries("prequential (online, no weights sent)", xs, [.. r.Mdl.Select(p => p.PrequentialBits / 1000)], LineStyle.Solid, 0),
        ])
        {
            XTicks = [.. r.Mdl.Select((p, i) => new AxisTick(i, $"{(p.Family == "order" ? "order-" + p.Size : "lstm " + p.Size)}\n{Params(p.Parameters)}"))],
            Legend = LegendPlacement.Bottom,
            Width = 900,
            Height = 540,
        };
    }

    /// <summary>Bits saved on the target by each source, % of C(Y), one bar per model.</summary>
    public static BarChart Transfer(DescriptionLengthResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var models = r.Transfer.Select(t => t.Model).Distinct().ToList();
        var sources = r.Transfer.Select(t => t.Source).Distinct().ToList();
        var values = models.Select(m => (IReadOnlyList<double>)[.. sources.Select(s => r.Transfer.FirstOrDefault(t => t.Model == m && t.Source == s) is { } t ? 100 * t.SavedFraction : double.NaN)]).ToList();
        return new BarChart("Transfer: C(Y) − C(Y|X) as a share of C(Y)", "bits saved on the target (%)", [.. sources.Select(Wrap)], models, values) { Height = 500 };
    }

    /// <summary>Mean symbol error and share of ciphers not solved, against cipher length.</summary>
    public static LineChart Decipher(DecipherResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double[] xs = [.. r.Points.Select(p => (double)p.Length)];
        return new LineChart("Substitution ciphers of held-out English: error against length", "cipher length (letters)", "% of ciphers or letters",
        [
            new ChartSeries("mean symbol error", xs, [.. r.Points.Select(p => 100 * p.MeanError)]),
            new ChartSeries($"not solved (error > {RandomSubstitution.SolvedError:P0})", xs, [.. r.Points.Select(p => 100 * (1 - p.Solved))], LineStyle.Dashed),
        ])
        {
            YRange = (-3, 103),
            Height = 440,
        };
    }

    /// <summary>Train error, test error and the Occam bound (%) against the quantisation step of the probe's parameters.</summary>
    public static LineChart Occam(OccamResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double[] xs = [.. r.Points.Select(p => Math.Log2(p.Step))];
        return new LineChart("Occam bound of the probe against the precision of its parameters", "quantisation step (coarser →)", "error (%)",
        [
            new ChartSeries("bound: train error + sqrt((b ln 2 + ln(G/δ)) / 2m)", xs, [.. r.Points.Select(p => 100 * p.Bound)], LineStyle.Solid, 3),
            new ChartSeries("test error (measured)", xs, [.. r.Points.Select(p => 100 * p.TestError)], LineStyle.Solid, 0),
            new ChartSeries("train error", xs, [.. r.Points.Select(p => 100 * p.TrainError)], LineStyle.Dashed, 2),
        ])
        {
            XTicks = [.. r.Points.Select(p => new AxisTick(Math.Log2(p.Step), $"{PowerOfTwo(p.Step)}\n{p.Bits / 1000:0.#} kbit"))],
            ReferenceLines = [new ReferenceLine(100, "100%: vacuous above")],
            Legend = LegendPlacement.Bottom,
            Width = 900,
            Height = 520,
        };
    }

    /// <summary>
    /// The loss–probe points of the next-pixel chapter: test bits per pixel against the best-layer probe accuracy (%) at
    /// each checkpoint, untrained first, one line per pooling; the raw-pixel probe as a reference line.
    /// </summary>
    public static LineChart NextPixel(NextPixelResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var pts = r.Points;
        double[] xs = [.. pts.Select(m => m.TestBits)];
        var series = new List<ChartSeries> { new("mean-pooled features (iGPT)", xs, [.. pts.Select(m => 100 * m.Mean.TestAccuracy)], LineStyle.Solid, 0) };
        if (pts.All(m => m.Grid is not null))
        {
            series.Add(new ChartSeries($"{pts[0].Grid!.Pooling}-pooled features", xs, [.. pts.Select(m => 100 * m.Grid!.TestAccuracy)], LineStyle.Solid, 1));
        }
        return new LineChart("Better next-pixel prediction, better features (one point per checkpoint, untrained on the right)",
            "test bits per pixel (lower = better prediction)", "linear-probe test accuracy (%)", series)
        {
            ReferenceLines = [new ReferenceLine(100 * r.Igpt.RawPixels.TestAccuracy, $"raw pixels, same probe ({100 * r.Igpt.RawPixels.TestAccuracy:F1}%)")],
            Legend = LegendPlacement.Bottom,
            Width = 900,
            Height = 520,
        };
    }

    /// <summary>"2⁻⁶" for 1/64: a power of two with a superscript exponent.</summary>
    public static string PowerOfTwo(double value)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        int e = (int)Math.Round(Math.Log2(value));
        string exp = string.Concat(Math.Abs(e).ToString(Inv).Select(c => digits[c - '0']));
        return "2" + (e < 0 ? "⁻" : "") + exp;
    }

    /// <summary>"1 KB", "256 KB", "1 MB".</summary>
    public static string Size(long bytes) => bytes >= 1_000_000 ? $"{bytes / 1e6:G3} MB" : bytes >= 1000 ? $"{bytes / 1e3:G3} KB" : $"{bytes} B";

    /// <summary>The legend name of a classifier: "class-conditional cm", "NCD-kNN deflate (k=1, 40 docs)".</summary>
    public static string Name(ClassifierResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Method == "conditional" ? $"class-conditional {c.Compressor}" : $"NCD-kNN {c.Compressor} (k={c.K}, {c.Docs} docs)";
    }

    private static string Params(long p) => p >= 1_000_000 ? $"{p / 1e6:G3}M params" : p >= 1000 ? $"{p / 1e3:G3}k params" : $"{p} params";

    private static string Wrap(string s)
    {
        int paren = s.IndexOf(" (", StringComparison.Ordinal);
        return paren > 0 ? s[..paren] + "\n" + s[(paren + 1)..] : s;
    }
}
