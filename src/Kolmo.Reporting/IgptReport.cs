using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kolmo.Vision;

namespace Kolmo.Reporting;

/// <summary>Renders <see cref="IgptResults"/> as markdown, JSON and PNG plots.</summary>
public static class IgptReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>File name of the loss–probe curve plot.</summary>
    public const string CurvePlot = "igpt-curve.png";

    /// <summary>File name of the AR-vs-masked plot.</summary>
    public const string ObjectivePlot = "igpt-ar-vs-masked.png";

    /// <summary>File name of the per-layer probe plot.</summary>
    public const string LayerPlot = "igpt-layers.png";

    /// <summary>
    /// results.json: <c>{"rawPixelProbe", "untrainedProbe", "spearman", "spearmanMasked", "untrainedGridProbe", "spearmanGrid",
    /// "runs": [{"objective", "size", "parameters", "step", "bitsPerDim", "trainLoss", "probeAccuracy", "bestLayer", "layerAccuracies",
    /// "gridProbeAccuracy", "gridBestLayer", "gridLayerAccuracies"}], "compression", "data", "paletteLevels", "options", "seconds"}</c>.
    /// NaN values are written as null.
    /// </summary>
    public static string Json(IgptResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        static double? N(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
        var o = results.Options;
        var doc = new
        {
            rawPixelProbe = N(results.RawPixelProbe),
            untrainedProbe = N(results.UntrainedProbe),
            spearman = N(results.Spearman),
            spearmanMasked = N(results.SpearmanMasked),
            untrainedGridProbe = N(results.UntrainedGridProbe),
            spearmanGrid = N(results.SpearmanGrid),
            runs = results.Runs.Select(r => new
            {
                objective = r.Objective,
                size = r.Size,
                parameters = r.Parameters,
                step = r.Step,
                bitsPerDim = N(r.BitsPerDim),
                trainLoss = N(r.TrainLoss),
                probeAccuracy = N(r.ProbeAccuracy),
                bestLayer = r.BestLayer,
                layerAccuracies = r.LayerAccuracies.Select(N).ToArray(),
                gridProbeAccuracy = N(r.GridProbeAccuracy),
                gridBestLayer = r.GridBestLayer,
                gridLayerAccuracies = r.GridLayerAccuracies.Select(N).ToArray(),
            }).ToArray(),
            compression = results.Compression is { } c ? new
            {
                images = c.Images,
                pixels = c.Pixels,
                modelBitsPerDim = N(c.ModelBitsPerDim),
                codedBitsPerDim = N(c.CodedBitsPerDim),
                decodedImages = c.DecodedImages,
                baselines = c.Baselines.ToDictionary(kv => kv.Key, kv => N(kv.Value)),
            } : null,
            data = results.Data,
            paletteLevels = results.PaletteLevels,
            options = new
            {
                downsample = o.Downsample,
                palette = o.Palette.ToString(),
                paletteSize = o.PaletteSize,
                objectives = o.Objectives.Select(x => x.ToString()).ToArray(),
                sizes = o.Sizes.Select(s => new { s.Name, s.Layers, s.Width, s.Heads }).ToArray(),
                steps = o.Steps,
                checkpoints = o.Checkpoints,
                batch = o.Batch,
                learningRate = o.LearningRate,
                seed = o.Seed,
                l2Grid = o.Probe.L2Grid,
                probeGrid = o.ProbeGrid,
                maskedSizes = o.MaskedSizes,
            },
            seconds = Math.Round(results.Seconds, 1),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never });
    }

    /// <summary>The markdown report: setup, baselines, the curve table, Spearman, AR vs masked, per-layer table, compression.</summary>
    public static string Markdown(IgptResults results, string title, IReadOnlyDictionary<string, string>? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sb = new StringBuilder();
        var o = results.Options;
        sb.Append(Inv, $"# {title}\n\n");
        if (provenance is not null)
        {
            foreach (var kv in provenance)
            {
                sb.Append(Inv, $"- {kv.Key}: {kv.Value}\n");
            }
        }
        foreach (var kv in results.Data)
        {
            sb.Append(Inv, $"- {kv.Key}: {kv.Value}\n");
        }
        sb.Append(Inv, $"- models: {string.Join(", ", o.Sizes.Select(s => $"{s.Name} ({s.Layers} blocks, width {s.Width}, {s.Heads} heads)"))}; objectives: {string.Join(", ", o.Objectives)}\n");
        sb.Append(Inv, $"- training: {o.Steps} steps × batch {o.Batch} images, AdamW, peak lr {o.LearningRate}, warm-up + cosine; checkpoints at step 0 and every {o.Steps / o.Checkpoints} steps; seed {o.Seed}\n");
        sb.Append(Inv, $"- probes: multinomial logistic regression (L-BFGS) on standardised, layer-normalised activations of each layer, mean-pooled over all positions (iGPT, C features){(o.ProbeGrid > 1 ? $" and, as a second probe, pooled over a {o.ProbeGrid}×{o.ProbeGrid} grid of image regions ({o.ProbeGrid * o.ProbeGrid}·C features)" : "")}; λ ∈ {{{string.Join(", ", o.Probe.L2Grid.Select(x => x.ToString("G2", Inv)))}}} chosen on the last {o.Probe.ValidationFraction:P0} of the probe-training images; best layer chosen by validation accuracy, its test accuracy reported\n");
        sb.Append(Inv, $"- wall time: {results.Seconds / 60:F1} min (shared 2-core machine)\n\n");

        sb.Append("## Baselines (same split)\n\n| probe | test accuracy |\n|---|---:|\n");
        sb.Append(Inv, $"| raw pixels (downsampled grey levels) | {results.RawPixelProbe:P2} |\n");
        sb.Append(Inv, $"| largest AR network, untrained (step 0), best layer, mean-pooled | {results.UntrainedProbe:P2} |\n");
        if (o.ProbeGrid > 1)
        {
            sb.Append(Inv, $"| largest AR network, untrained (step 0), best layer, {o.ProbeGrid}×{o.ProbeGrid}-pooled | {results.UntrainedGridProbe:P2} |\n");
        }
        sb.Append('\n');

        sb.Append("## Loss vs probe accuracy\n\n");
        string g = $"{o.ProbeGrid}×{o.ProbeGrid}";
        sb.Append(Inv, $"| objective | size | params | step | test bits/dim | train bits | probe (mean) | layer | per-layer (mean) | probe ({g}) | layer | per-layer ({g}) |\n|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n");
        foreach (var r in results.Runs)
        {
            sb.Append(Inv, $"| {r.Objective} | {r.Size} | {r.Parameters} | {r.Step} | {F(r.BitsPerDim, 4)} | {F(r.TrainLoss, 4)} | {r.ProbeAccuracy:P2} | {r.BestLayer} | {string.Join(" / ", r.LayerAccuracies.Select(a => (a * 100).ToString("F1", Inv)))} | {P(r.GridProbeAccuracy)} | {(r.GridLayerAccuracies.Count > 0 ? r.GridBestLayer.ToString(Inv) : "–")} | {string.Join(" / ", r.GridLayerAccuracies.Select(a => (a * 100).ToString("F1", Inv)))} |\n");
        }
        sb.Append(Inv, $"\nSpearman ρ(−bits/dim, best-layer probe accuracy) over the trained AR checkpoints: **{F(results.Spearman, 3)}** (mean-pooled), **{F(results.SpearmanGrid, 3)}** ({g}-pooled)");
        sb.Append(Inv, $"; masked checkpoints (masked-position bits vs mean-pooled probe): {F(results.SpearmanMasked, 3)}.\n");
        sb.Append("AR bits/dim is the exact code length per pixel token; masked bits/dim is the loss on a seeded 15% of test positions, not a likelihood of the image.\n\n");
        sb.Append(Inv, $"![loss vs probe]({CurvePlot})\n\n");

        var finals = results.Runs.GroupBy(r => (r.Objective, r.Size)).Select(g => g.OrderBy(r => r.Step).Last()).ToArray();
        if (finals.Select(r => r.Objective).Distinct().Count() > 1)
        {
            sb.Append(Inv, $"## AR vs masked at equal compute (final checkpoints: same steps, batch, tokens, architecture)\n\n| size | AR probe (mean) | masked probe (mean) | AR − masked | AR probe ({o.ProbeGrid}×{o.ProbeGrid}) | masked probe ({o.ProbeGrid}×{o.ProbeGrid}) | AR − masked |\n|---|---:|---:|---:|---:|---:|---:|\n");
            foreach (var size in o.Sizes)
            {
                var a = finals.FirstOrDefault(r => r.Objective == "ar" && r.Size == size.Name);
                var m = finals.FirstOrDefault(r => r.Objective == "masked" && r.Size == size.Name);
                if (a is not null && m is not null)
                {
                    sb.Append(Inv, $"| {size.Name} | {a.ProbeAccuracy:P2} | {m.ProbeAccuracy:P2} | {(a.ProbeAccuracy - m.ProbeAccuracy) * 100:+0.00;-0.00} pt | {P(a.GridProbeAccuracy)} | {P(m.GridProbeAccuracy)} | {(a.GridProbeAccuracy - m.GridProbeAccuracy) * 100:+0.00;-0.00} pt |\n");
                }
            }
            sb.Append(Inv, $"\n![AR vs masked]({ObjectivePlot})\n\n");
        }
        sb.Append(Inv, $"Per-layer probe accuracy of the final checkpoints: ![layers]({LayerPlot})\n\n");

        if (results.Compression is { } c)
        {
            sb.Append(Inv, $"## Compression: the final AR model ({o.Sizes[^1].Name}) behind the range coder\n\n");
            sb.Append(Inv, $"{c.Images} test images ({c.Pixels} pixel tokens, {results.PaletteLevels.Count}-level palette); {c.DecodedImages} decoded back and checked identical.\n\n");
            sb.Append("| coder | bits/pixel |\n|---|---:|\n");
            sb.Append(Inv, $"| AR model, ideal (−log2 p, the model's log-loss) | {c.ModelBitsPerDim:F4} |\n");
            sb.Append(Inv, $"| AR model + range coder, actual bytes | {c.CodedBitsPerDim:F4} |\n");
            foreach (var kv in c.Baselines)
            {
                sb.Append(Inv, $"| {kv.Key} (same token bytes) | {kv.Value:F4} |\n");
            }
            sb.Append(Inv, $"| uniform over the palette (log2 K) | {Math.Log2(results.PaletteLevels.Count):F4} |\n\n");
        }
        return sb.ToString();
    }

    /// <summary>The three plots as PNG bytes, keyed by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Plots(IgptResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return Charts(results).ToDictionary(kv => kv.Key, kv => Kolmo.Reporting.Charts.Render(kv.Value));
    }

    /// <summary>The three charts (loss vs probe, AR vs masked during training, probe by layer), keyed by file name.</summary>
    public static IReadOnlyDictionary<string, LineChart> Charts(IgptResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int grid = results.Options.ProbeGrid;
        var curve = new List<ChartSeries>();
        foreach (var g in results.Runs.Where(r => r.Objective == "ar" && r.Step > 0).GroupBy(r => r.Size))
        {
            var pts = g.OrderBy(r => r.Step).ToArray();
            double[] bits = [.. pts.Select(r => r.BitsPerDim)];
            curve.Add(new ChartSeries($"AR {g.Key}, mean-pooled", bits, [.. pts.Select(r => r.ProbeAccuracy * 100)]));
            if (grid > 1)
            {
                curve.Add(new ChartSeries($"AR {g.Key}, {grid}x{grid}-pooled", bits, [.. pts.Select(r => r.GridProbeAccuracy * 100)], LineStyle.Dashed));
            }
        }

        var objective = results.Runs.GroupBy(r => (r.Objective, r.Size)).Select(g =>
        {
            var pts = g.OrderBy(r => r.Step).ToArray();
            return new ChartSeries($"{g.Key.Objective} {g.Key.Size}", [.. pts.Select(r => (double)r.Step)], [.. pts.Select(r => r.ProbeAccuracy * 100)],
                g.Key.Objective == "masked" ? LineStyle.Dashed : LineStyle.Solid);
        }).ToArray();

        var layers = results.Runs.GroupBy(r => (r.Objective, r.Size)).Select(g =>
        {
            var last = g.OrderBy(r => r.Step).Last();
            return new ChartSeries($"{g.Key.Objective} {g.Key.Size} (step {last.Step})",
                [.. Enumerable.Range(0, last.LayerAccuracies.Count).Select(i => (double)i)], [.. last.LayerAccuracies.Select(a => a * 100)]);
        }).ToArray();

        return new Dictionary<string, LineChart>
        {
            [CurvePlot] = new($"Next-pixel loss vs linear probe (Spearman ρ = {F(results.Spearman, 3)} mean, {F(results.SpearmanGrid, 3)} grid)",
                "test bits/dim (lower is better)", "best-layer probe accuracy (%)", curve) { MarkerSize = 8 },
            [ObjectivePlot] = new("Probe accuracy during training: AR (solid) vs masked (dashed)", "training step", "best-layer probe accuracy (%)", objective)
            {
                ReferenceLines = [new ReferenceLine(results.RawPixelProbe * 100, "raw pixels")],
            },
            [LayerPlot] = new("Linear probe accuracy by layer (0 = embeddings)", "layer", "probe accuracy (%)", layers),
        };
    }

    private static string P(double v) => double.IsFinite(v) ? v.ToString("P2", Inv) : "–";

    private static string F(double v, int digits) => double.IsFinite(v) ? v.ToString("F" + digits.ToString(Inv), Inv) : "–";
}
