using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Kolmo.Vision;

namespace Kolmo.Reporting;

/// <summary>Draws <see cref="IgptResults"/>: report.md, results.json, plots (ScottPlot) and image grids (PNG).</summary>
public static class IgptReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Loss–probe curve.</summary>
    public const string CurvePlot = "igpt-curve.png";

    /// <summary>AR vs masked over seeds.</summary>
    public const string ObjectivePlot = "igpt-ar-vs-masked.png";

    /// <summary>Probe accuracy by layer.</summary>
    public const string LayerPlot = "igpt-layers.png";

    /// <summary>Training loss curves.</summary>
    public const string TrainingPlot = "igpt-training.png";

    /// <summary>Originals and completions.</summary>
    public const string CompletionsImage = "igpt-completions.png";

    /// <summary>Samples from scratch.</summary>
    public const string SamplesImage = "igpt-samples.png";

    /// <summary>Every file <see cref="Render"/> may create.</summary>
    public static IReadOnlyList<string> Files { get; } = ["report.md", "results.json", CurvePlot, ObjectivePlot, LayerPlot, TrainingPlot, CompletionsImage, SamplesImage];

    /// <summary>Every file of the report — report.md, results.json and the pictures — keyed by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Render(IgptResults results, IReadOnlyDictionary<string, string> provenance)
    {
        ArgumentNullException.ThrowIfNull(results);
        var files = new Dictionary<string, byte[]>(Pictures(results))
        {
            ["results.json"] = Encoding.UTF8.GetBytes(IgptResultsJson.Serialize(results)),
            ["report.md"] = Encoding.UTF8.GetBytes(Markdown(results, provenance)),
        };
        return files;
    }

    /// <summary>The markdown report.</summary>
    public static string Markdown(IgptResults r, IReadOnlyDictionary<string, string>? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        var o = r.Options;
        var sb = new StringBuilder();
        sb.Append(Inv, $"# iGPT on {r.Data.GetValueOrDefault("dataset", "images")}: next-pixel prediction and linear probes\n\n");
        foreach (var kv in provenance ?? new Dictionary<string, string>())
        {
            sb.Append(Inv, $"- {kv.Key}: {kv.Value}\n");
        }
        sb.Append(Inv, $"- CPU time: {r.CpuSeconds:F0} CPU-seconds (process time over all sessions); wall {r.WallSeconds / 60:F1} min\n");
        sb.Append(Inv, $"- build{(r.Builds.Count > 1 ? "s (resumed across builds)" : "")}: {string.Join(", ", r.Builds)}\n");
        foreach (var kv in r.Data)
        {
            sb.Append(Inv, $"- {kv.Key}: {kv.Value}\n");
        }
        double epochs = r.Measurements.Max(m => m.Epochs);
        sb.Append(Inv, $"- AR sizes: {string.Join(", ", o.Sizes.Select(s => $"{s.Name} ({s.Layers} blocks, width {s.Width}, {s.Heads} heads)"))}; masked at equal compute: {(o.MaskedSizes.Count > 0 ? string.Join(", ", o.MaskedSizes) : "none")} over {o.Seeds} seed(s)\n");
        sb.Append(Inv, $"- training: {o.Steps} steps × {o.Batch} images ({epochs:F1} epochs), AdamW, peak lr {o.LearningRate}, warm-up 5% + cosine to 10%; measured at steps {string.Join(", ", o.CheckpointSteps())}{(o.Seeds > 1 ? " (further seeds: the final step)" : "")}; seed {o.Seed}\n");
        sb.Append(Inv, $"- probes: multinomial logistic regression on each layer's layer-normalised activations, mean-pooled over all positions (iGPT){(o.ProbeGrid > 1 ? $" and pooled over a {o.ProbeGrid}×{o.ProbeGrid} grid of image regions" : "")}; features standardised on the fit rows; λ ∈ {{{string.Join(", ", o.Probe.L2Grid.Select(x => x.ToString("G2", Inv)))}}} (stopping after {o.Probe.Patience} worse in a row) chosen on {o.Probe.ValidationFraction:P0} of the probe-training images held out (evenly spaced); L-BFGS to max |∂J/∂θ| ≤ {o.Probe.GradientTolerance:G2} (cap {o.Probe.MaxIterations}); layer chosen by validation accuracy; refit on all probe-training images, scored on the test images\n\n");

        Headline(sb, r);
        CurveSection(sb, r);
        ComparisonSection(sb, r);
        LayerSection(sb, r);
        FinalSection(sb, r);
        ConvergenceSection(sb, r);
        return sb.ToString();
    }

    private static void Headline(StringBuilder sb, IgptResults r)
    {
        var final = r.FinalRun;
        var untrained = final[0];
        var last = final[^1];
        string g = last.Grid?.Pooling ?? "grid";
        sb.Append("## Summary\n\n| probe (same images, same probe) | mean-pooled | " + g + " |\n|---|---:|---:|\n");
        sb.Append(Inv, $"| raw pixels ({r.RawPixels.Features} grey levels) | {r.RawPixels.TestAccuracy:P2} | |\n");
        sb.Append(Inv, $"| {r.FinalSize} AR, untrained (step 0), best layer | {untrained.Mean.TestAccuracy:P2} (layer {untrained.Mean.BestLayer}) | {P(untrained.Grid?.TestAccuracy)} {L(untrained.Grid)} |\n");
        sb.Append(Inv, $"| {r.FinalSize} AR, trained (step {last.Step}), best layer | {last.Mean.TestAccuracy:P2} (layer {last.Mean.BestLayer}) | {P(last.Grid?.TestAccuracy)} {L(last.Grid)} |\n");
        var bestMean = r.BestAr("mean");
        var bestGrid = r.BestAr("grid");
        if (bestMean is not null)
        {
            sb.Append(Inv, $"| best AR checkpoint by validation accuracy (mean: {bestMean.Size} step {bestMean.Step}; grid: {bestGrid?.Size} step {bestGrid?.Step}) | {bestMean.Mean.TestAccuracy:P2} (layer {bestMean.Mean.BestLayer}) | {P(bestGrid?.Grid?.TestAccuracy)} {L(bestGrid?.Grid)} |\n");
        }
        sb.Append('\n');
        int n = int.TryParse(r.Data.GetValueOrDefault("testImages"), NumberStyles.Integer, Inv, out int t) ? t : 0;
        if (n > 0)
        {
            double p = last.Mean.TestAccuracy;
            sb.Append(Inv, $"One standard error of an accuracy near {p:P0} on {n} test images: {Math.Sqrt(p * (1 - p) / n) * 100:F2} points.\n\n");
        }
    }

    private static void CurveSection(StringBuilder sb, IgptResults r)
    {
        sb.Append("## Loss vs probe accuracy\n\n");
        foreach (var c in r.Curve)
        {
            sb.Append(Inv, $"- Spearman ρ(−bits/dim, {c.Pooling} probe accuracy) over {c.Points} trained seed-0 AR checkpoints: **{F(c.Rho, 3)}** (95% bootstrap interval over test images {F(c.Low, 2)} … {F(c.High, 2)})\n");
        }
        sb.Append("\n| objective | size | seed | step | epochs | train bits | test bits/dim | bottom half | probe (mean) | layer | probe (grid) | layer | train CPU-s | probe CPU-s |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var m in r.Measurements)
        {
            sb.Append(Inv, $"| {m.Objective} | {m.Size} | {m.SeedIndex} | {m.Step} | {m.Epochs:F1} | {F(m.TrainBits, 4)} | {m.TestBits:F4} | {F(m.BottomHalfBits, 4)} | {m.Mean.TestAccuracy:P2} | {m.Mean.BestLayer} | {P(m.Grid?.TestAccuracy)} | {(m.Grid is null ? "–" : m.Grid.BestLayer.ToString(Inv))} | {m.TrainCpuSeconds:F0} | {m.MeasureCpuSeconds:F0} |\n");
        }
        sb.Append("\nAR bits/dim is the exact code length per pixel token; masked bits/dim is the loss on a fixed 15% of test positions given the rest, not a likelihood of the image.\n\n");
        sb.Append(Inv, $"![loss vs probe]({CurvePlot})\n\n![training loss]({TrainingPlot})\n\n");
    }

    private static void ComparisonSection(StringBuilder sb, IgptResults r)
    {
        if (r.Comparisons.Count == 0)
        {
            return;
        }
        sb.Append("## AR vs masked at equal compute\n\nSame architecture, steps, batch, images and seeds; final checkpoints; mean ± standard deviation over seeds, and the paired difference.\n\n");
        sb.Append("| size | seeds | steps | AR (mean) | masked (mean) | AR − masked (mean) | AR (grid) | masked (grid) | AR − masked (grid) | train CPU-s AR / masked |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var c in r.Comparisons)
        {
            sb.Append(Inv, $"| {c.Size} | {c.ArMean.Values.Count} | {c.Steps} | {Ms(c.ArMean)} | {Ms(c.MaskedMean)} | {Pt(c.DifferenceMean)} | {Ms(c.ArGrid)} | {Ms(c.MaskedGrid)} | {Pt(c.DifferenceGrid)} | {c.ArTrainCpuSeconds:F0} / {c.MaskedTrainCpuSeconds:F0} |\n");
        }
        sb.Append(Inv, $"\n![AR vs masked]({ObjectivePlot})\n\n");
    }

    private static void LayerSection(StringBuilder sb, IgptResults r)
    {
        sb.Append("## Probe accuracy by layer (final checkpoints, seed 0)\n\n| run | pooling | " + string.Join(" | ", Enumerable.Range(0, r.Options.Sizes.Max(s => s.Layers) + 1).Select(l => $"layer {l}")) + " |\n");
        sb.Append("|---|---|" + string.Concat(Enumerable.Repeat("---:|", r.Options.Sizes.Max(s => s.Layers) + 1)) + "\n");
        foreach (var m in Finals(r).Where(m => m.SeedIndex == 0))
        {
            foreach (var p in new[] { m.Mean, m.Grid })
            {
                if (p is not null)
                {
                    sb.Append(Inv, $"| {m.Objective} {m.Size} | {p.Pooling} | {string.Join(" | ", p.Layers.Select(l => (l.Layer == p.BestLayer ? "**" : "") + (l.TestAccuracy * 100).ToString("F2", Inv) + (l.Layer == p.BestLayer ? "**" : "")))} |\n");
                }
            }
        }
        sb.Append(Inv, $"\nBold: the layer chosen by validation accuracy. 0 = embeddings, l = after block l.\n\n![layers]({LayerPlot})\n\n");
    }

    private static void FinalSection(StringBuilder sb, IgptResults r)
    {
        if (r.Compression is { } c)
        {
            sb.Append(Inv, $"## Compression: the final AR model ({r.FinalSize}) behind the range coder\n\n");
            sb.Append(Inv, $"{c.Images} test images ({c.Pixels} pixel tokens, {r.PaletteLevels.Count}-level palette); {c.DecodedImages} decoded back and checked identical. Coded size is {(c.CodedBitsPerDim / c.ModelBitsPerDim - 1) * 100:+0.00;-0.00}% from the model's log-loss.\n\n");
            sb.Append("| coder | bits/pixel |\n|---|---:|\n");
            sb.Append(Inv, $"| AR model, ideal (−log2 p, the model's log-loss) | {c.ModelBitsPerDim:F4} |\n");
            sb.Append(Inv, $"| AR model + range coder, actual bytes | {c.CodedBitsPerDim:F4} |\n");
            foreach (var kv in c.Baselines)
            {
                sb.Append(Inv, $"| {kv.Key} (same token bytes) | {kv.Value:F4} |\n");
            }
            sb.Append(Inv, $"| uniform over the palette (log2 K) | {Math.Log2(r.PaletteLevels.Count):F4} |\n\n");
        }
        if (r.Completions is { } comp)
        {
            sb.Append(Inv, $"## Completions\n\nThe final AR model is given the top {comp.GivenRows} of {comp.Height} rows of each test image and samples the rest (temperature 1). Left column: the original; then {comp.Completions.FirstOrDefault()?.Count ?? 0} completions. Over all test images the true bottom halves cost **{comp.BottomHalfBits:F4} bits/pixel** given the top halves (top halves: {comp.TopHalfBits:F4}).\n\n![completions]({CompletionsImage})\n\n");
        }
        if (r.Samples is { } s)
        {
            sb.Append(Inv, $"## Samples from scratch\n\n{s.Images.Count} images sampled by the final AR model from the start token alone.\n\n![samples]({SamplesImage})\n\n");
        }
    }

    private static void ConvergenceSection(StringBuilder sb, IgptResults r)
    {
        var all = r.Measurements.SelectMany(m => m.Mean.Layers.Concat(m.Grid?.Layers ?? [])).Concat(r.RawPixels.Layers).ToArray();
        var p = r.Options.Probe;
        var gradients = all.Select(l => l.MaxGradient).Order().ToArray();
        int capped = all.Count(l => l.MaxFitIterations >= p.MaxIterations);
        sb.Append(Inv, $"## Probe optimisation\n\n{all.Length} layer probes ({all.Sum(l => l.LambdasTried) + all.Length} L-BFGS fits): {all.Count(l => l.Converged)} with every fit at the tolerance max |∂J/∂θ| ≤ {p.GradientTolerance:G2}; ");
        sb.Append(Inv, $"{capped} with a fit at the cap of {p.MaxIterations} iterations; the others stopped where the line search could no longer descend (the objective flat to float rounding). ");
        sb.Append(Inv, $"Largest max |∂J/∂θ| at a stop, per probe: median {gradients[gradients.Length / 2]:G2}, worst {gradients[^1]:G2}. ");
        sb.Append(Inv, $"Iterations per fit at most {all.Max(l => l.MaxFitIterations)}, {all.Sum(l => l.Iterations)} in all. λ chosen: {string.Join(", ", all.GroupBy(l => l.L2).OrderByDescending(x => x.Key).Select(x => $"{x.Key:G2} ×{x.Count()}"))}.\n");
    }

    private static IEnumerable<IgptMeasurement> Finals(IgptResults r) =>
        r.Measurements.GroupBy(m => (m.Objective, m.Size, m.SeedIndex)).Select(g => g.MaxBy(m => m.Step)!);

    // ---------------------------------------------------------------- pictures

    /// <summary>The plots and image grids as PNG bytes, keyed by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Pictures(IgptResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var pictures = new Dictionary<string, byte[]>();

        pictures[CurvePlot] = Charts.Render(CurveChart(r));

        if (r.Comparisons.Count > 0)
        {
            var obj = new ScottPlot.Plot();
            var bars = new List<ScottPlot.Bar>();
            var labels = new List<ScottPlot.Tick>();
            double x = 0;
            foreach (var c in r.Comparisons)
            {
                foreach (var (name, v, color) in new (string, MeanSd?, ScottPlot.Color)[]
                {
                    ($"AR {c.Size} mean", c.ArMean, ScottPlot.Colors.SteelBlue), ($"masked {c.Size} mean", c.MaskedMean, ScottPlot.Colors.Orange),
                    ($"AR {c.Size} grid", c.ArGrid, ScottPlot.Colors.Navy), ($"masked {c.Size} grid", c.MaskedGrid, ScottPlot.Colors.OrangeRed),
                })
                {
                    if (v is null)
                    {
                        continue;
                    }
                    bars.Add(new ScottPlot.Bar { Position = x, Value = v.Mean * 100, Error = v.Sd * 100, FillColor = color });
                    labels.Add(new ScottPlot.Tick(x, name));
                    x++;
                }
                x++;
            }
            obj.Add.Bars(bars);
            obj.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(labels.ToArray());
            var line = obj.Add.HorizontalLine(r.RawPixels.TestAccuracy * 100);
            line.LinePattern = ScottPlot.LinePattern.Dotted;
            line.LegendText = "raw pixels";
            double lo = bars.Min(b => b.Value - b.Error);
            obj.Axes.SetLimitsY(Math.Max(0, Math.Min(lo, r.RawPixels.TestAccuracy * 100) - 5), 100);
            obj.Title($"AR vs masked at equal compute: final probe accuracy, mean ± sd over {r.Options.Seeds} seed(s)");
            obj.YLabel("probe accuracy (%)");
            obj.ShowLegend(ScottPlot.Alignment.LowerRight);
            pictures[ObjectivePlot] = Charts.Render(obj, 900, 600, false);
        }

        pictures[LayerPlot] = Charts.Render(LayerChart(r));
        pictures[TrainingPlot] = Charts.Render(TrainingChart(r));

        if (r.Completions is { } comp)
        {
            var rows = comp.Originals.Select((o, i) => new[] { o }.Concat(comp.Completions[i]).ToArray()).ToArray();
            pictures[CompletionsImage] = GreyPng.Grid(rows, comp.Height, comp.Width, 4, comp.GivenRows);
        }
        if (r.Samples is { } samples && samples.Images.Count > 0)
        {
            int perRow = Math.Min(8, samples.Images.Count);
            var rows = samples.Images.Chunk(perRow).ToArray();
            pictures[SamplesImage] = GreyPng.Grid(rows, samples.Height, samples.Width, 4, 0);
        }
        return pictures;
    }

    /// <summary>Test bits/dim against best-layer probe accuracy for every trained seed-0 AR checkpoint, one series per size and pooling.</summary>
    public static LineChart CurveChart(IgptResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var series = new List<ChartSeries>();
        foreach (var g in r.Measurements.Where(m => m.Objective == "ar" && m.SeedIndex == 0 && m.Step > 0).GroupBy(m => m.Size))
        {
            var pts = g.OrderBy(m => m.Step).ToArray();
            double[] bits = [.. pts.Select(m => m.TestBits)];
            series.Add(new ChartSeries($"{g.Key}, mean-pooled", bits, [.. pts.Select(m => m.Mean.TestAccuracy * 100)]));
            if (pts.All(m => m.Grid is not null))
            {
                series.Add(new ChartSeries($"{g.Key}, {pts[0].Grid!.Pooling}", bits, [.. pts.Select(m => m.Grid!.TestAccuracy * 100)], LineStyle.Dashed));
            }
        }
        return new LineChart("Next-pixel loss vs linear probe (" + string.Join(", ", r.Curve.Select(c => $"ρ {c.Pooling} = {F(c.Rho, 2)}")) + ")",
            "test bits/dim (lower is better)", "best-layer probe accuracy (%)", series)
        {
            ReferenceLines = [new ReferenceLine(r.RawPixels.TestAccuracy * 100, "raw pixels")],
            MarkerSize = 8,
            Width = 900,
            Height = 600,
        };
    }

    /// <summary>Probe accuracy of every layer at the final checkpoint of each seed-0 run, one series per run and pooling.</summary>
    public static LineChart LayerChart(IgptResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var series = new List<ChartSeries>();
        foreach (var m in Finals(r).Where(m => m.SeedIndex == 0))
        {
            foreach (var p in new[] { m.Mean, m.Grid })
            {
                if (p is not null)
                {
                    series.Add(new ChartSeries($"{m.Objective} {m.Size}, {p.Pooling}", [.. p.Layers.Select(l => (double)l.Layer)], [.. p.Layers.Select(l => l.TestAccuracy * 100)],
                        p == m.Grid ? LineStyle.Dashed : LineStyle.Solid));
                }
            }
        }
        return new LineChart("Linear probe accuracy by layer, final checkpoints (0 = embeddings)", "layer", "probe accuracy (%)", series)
        {
            ReferenceLines = [new ReferenceLine(r.RawPixels.TestAccuracy * 100, "raw pixels")],
            Width = 900,
            Height = 600,
        };
    }

    /// <summary>Training loss of every run (masked runs dashed).</summary>
    public static LineChart TrainingChart(IgptResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var series = r.TrainingCurves.Where(c => c.Steps.Count > 0).Select(c => new ChartSeries(c.Run, [.. c.Steps.Select(v => (double)v)], c.Bits,
            c.Run.StartsWith("masked", StringComparison.Ordinal) ? LineStyle.Dashed : LineStyle.Solid)).ToArray();
        return new LineChart("Training loss (bits per target; masked: the masked positions)", "step", "bits", series) { MarkerSize = 0, Width = 900, Height = 600 };
    }

    private static string L(PooledProbe? p) => p is null ? "" : $"(layer {p.BestLayer})";

    private static string P(double? v) => v is double d && double.IsFinite(d) ? d.ToString("P2", Inv) : "–";

    private static string F(double? v, int digits) => v is double d && double.IsFinite(d) ? d.ToString("F" + digits.ToString(Inv), Inv) : "–";

    private static string Ms(MeanSd? v) => v is null ? "–" : $"{v.Mean * 100:F2} ± {v.Sd * 100:F2}%";

    private static string Pt(MeanSd? v) => v is null ? "–" : $"{v.Mean * 100:+0.00;-0.00} ± {v.Sd * 100:F2} pt";
}

/// <summary>
/// Greyscale image grids as PNG (8-bit grey, zlib via <see cref="ZLibStream"/>, CRC-32 per chunk): each cell an image
/// scaled up by an integer factor, cells separated by a 2-pixel mid-grey gutter; a red line marks the given rows of completions.
/// </summary>
public static class GreyPng
{
    /// <summary>A grid of <paramref name="rows"/> × cells of h × w grey images, each pixel drawn as scale × scale.</summary>
    public static byte[] Grid(IReadOnlyList<IReadOnlyList<byte[]>> rows, int h, int w, int scale, int markRow)
    {
        const int gutter = 2;
        int cols = rows.Max(r => r.Count);
        int cellW = w * scale, cellH = h * scale;
        int width = cols * cellW + (cols + 1) * gutter, height = rows.Count * cellH + (rows.Count + 1) * gutter;
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)128);
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Count; c++)
            {
                var img = rows[r][c];
                int x0 = gutter + c * (cellW + gutter), y0 = gutter + r * (cellH + gutter);
                for (int y = 0; y < cellH; y++)
                {
                    for (int x = 0; x < cellW; x++)
                    {
                        byte v = img[y / scale * w + x / scale];
                        int p = ((y0 + y) * width + x0 + x) * 3;
                        bool mark = markRow > 0 && c > 0 && y == markRow * scale;
                        rgb[p] = mark ? (byte)220 : v;
                        rgb[p + 1] = mark ? (byte)40 : v;
                        rgb[p + 2] = mark ? (byte)40 : v;
                    }
                }
            }
        }
        return Encode(width, height, rgb);
    }

    /// <summary>PNG of 8-bit RGB pixels [height, width, 3].</summary>
    public static byte[] Encode(int width, int height, byte[] rgb)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;   // bit depth
        ihdr[9] = 2;   // colour type: RGB
        Chunk(png, "IHDR", ihdr);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);   // filter: none
                z.Write(rgb, y * width * 3, width * 3);
            }
        }
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(n, data.Length);
        s.Write(n);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(n, crc.GetCurrentHashAsUInt32());
        s.Write(n);
    }
}
