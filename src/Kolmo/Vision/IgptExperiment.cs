using System.Diagnostics;
using Kolmo.Learning;

namespace Kolmo.Vision;

/// <summary>A model size of the sweep: blocks, width and attention heads.</summary>
/// <param name="Name">Label used in tables ("S", "M", "L" …).</param>
/// <param name="Layers">Transformer blocks L.</param>
/// <param name="Width">Model width C.</param>
/// <param name="Heads">Attention heads (C must be a multiple).</param>
public sealed record ModelSize(string Name, int Layers, int Width, int Heads)
{
    /// <summary>Parses "L×C" or "LxC" or "LxCxH" (heads default to max(1, C/16)) into a size named after the text.</summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static ModelSize Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var parts = text.Split('x', 'X', '×');
        if (parts.Length is < 2 or > 3 || !parts.All(p => int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out int v) && v > 0))
        {
            throw new FormatException($"model size '{text}' is not LAYERSxWIDTH[xHEADS] (e.g. 2x32).");
        }
        int l = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int c = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        int h = parts.Length == 3 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : Math.Max(1, c / 16);
        if (c % h != 0)
        {
            throw new FormatException($"model size '{text}': width {c} is not a multiple of {h} heads.");
        }
        return new ModelSize($"{l}x{c}", l, c, h);
    }
}

/// <summary>Settings of an <see cref="IgptExperiment"/>.</summary>
public sealed record IgptOptions
{
    /// <summary>Downsampling factor (2: 28×28 → 14×14). Default 2.</summary>
    public int Downsample { get; init; } = 2;

    /// <summary>Palette kind. Default k-means.</summary>
    public PaletteKind Palette { get; init; } = PaletteKind.KMeans;

    /// <summary>Palette size K. Default 16.</summary>
    public int PaletteSize { get; init; } = 16;

    /// <summary>Objectives to train. Default AR and masked.</summary>
    public IReadOnlyList<Objective> Objectives { get; init; } = [Objective.Autoregressive, Objective.Masked];

    /// <summary>Model sizes of the sweep (≥ 1).</summary>
    public IReadOnlyList<ModelSize> Sizes { get; init; } = [new("1x32", 1, 32, 2), new("2x32", 2, 32, 2), new("2x48", 2, 48, 3)];

    /// <summary>Names of the sizes trained with the masked objective (null = all sizes).</summary>
    public IReadOnlyList<string>? MaskedSizes { get; init; }

    /// <summary>Training steps per run.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Evenly spaced checkpoints (Steps/n, 2·Steps/n, …, Steps); step 0 (untrained) is always measured too.</summary>
    public int Checkpoints { get; init; } = 4;

    /// <summary>Images per training step.</summary>
    public int Batch { get; init; } = 16;

    /// <summary>Peak learning rate (AdamW; linear warm-up over the first 5% of steps, then cosine decay to 10%).</summary>
    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>Seed of initialisation, batch order and masks.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Cap on training images used for probe features (0 = all).</summary>
    public int ProbeTrainImages { get; init; }

    /// <summary>Cap on test images used for probes and bits/dim (0 = all).</summary>
    public int TestImages { get; init; }

    /// <summary>Test images compressed with the arithmetic coder by the final AR model of the largest size (0 = none).</summary>
    public int CompressImages { get; init; } = 20;

    /// <summary>
    /// Second probe (beside iGPT's mean pooling over all positions): pool over a G×G grid of image regions and
    /// concatenate, G·G·C features per layer. 0 or 1 = off. Default 2.
    /// </summary>
    public int ProbeGrid { get; init; } = 2;

    /// <summary>Forward-pass batch for evaluation and feature extraction.</summary>
    public int EvalBatch { get; init; } = 50;

    /// <summary>Linear probe settings.</summary>
    public ProbeOptions Probe { get; init; } = new();
}

/// <summary>One checkpoint of one run.</summary>
/// <param name="Objective">"ar" or "masked".</param>
/// <param name="Size">Model size name.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Step">Training steps done (0 = untrained).</param>
/// <param name="BitsPerDim">Test bits per pixel: AR = −log2 p(x_t | x_&lt;t) averaged over all pixels; masked = the same over the masked 15% positions (not a likelihood of the image).</param>
/// <param name="TrainLoss">Mean training loss (bits per target) over the steps since the previous checkpoint (NaN at step 0).</param>
/// <param name="ProbeAccuracy">Best-layer linear-probe test accuracy.</param>
/// <param name="BestLayer">The layer of <paramref name="ProbeAccuracy"/> (0 = embeddings, l = after block l); chosen by validation accuracy.</param>
/// <param name="LayerAccuracies">Probe test accuracy of every layer 0..L.</param>
/// <param name="GridProbeAccuracy">Best-layer probe accuracy on features pooled over a G×G grid of image regions (G·G·C features; NaN when off).</param>
/// <param name="GridBestLayer">The layer of <paramref name="GridProbeAccuracy"/>.</param>
/// <param name="GridLayerAccuracies">Grid-pooled probe test accuracy of every layer 0..L (empty when off).</param>
public sealed record IgptRun(string Objective, string Size, long Parameters, int Step, double BitsPerDim, double TrainLoss,
    double ProbeAccuracy, int BestLayer, IReadOnlyList<double> LayerAccuracies,
    double GridProbeAccuracy, int GridBestLayer, IReadOnlyList<double> GridLayerAccuracies);

/// <summary>The compression tie-in: the final AR model driving the range coder on test images.</summary>
/// <param name="Images">Test images coded.</param>
/// <param name="Pixels">Pixels (tokens) coded.</param>
/// <param name="ModelBitsPerDim">The model's log-loss on those pixels (ideal code length).</param>
/// <param name="CodedBitsPerDim">Actual compressed bits per pixel of the range-coded file.</param>
/// <param name="DecodedImages">Images decoded back and checked identical (all of them).</param>
/// <param name="Baselines">Bits per pixel of other coders on the same token bytes (name → bits/dim).</param>
public sealed record IgptCompression(int Images, long Pixels, double ModelBitsPerDim, double CodedBitsPerDim, int DecodedImages,
    IReadOnlyDictionary<string, double> Baselines);

/// <summary>Everything an <see cref="IgptExperiment"/> measured.</summary>
public sealed record IgptResults
{
    /// <summary>Description of the data (paths, counts, resolution, palette).</summary>
    public required IReadOnlyDictionary<string, string> Data { get; init; }

    /// <summary>The palette levels used.</summary>
    public required IReadOnlyList<int> PaletteLevels { get; init; }

    /// <summary>Raw-pixel logistic-regression probe accuracy (downsampled grey levels, same split).</summary>
    public required double RawPixelProbe { get; init; }

    /// <summary>Best-layer probe accuracy of the largest AR network, untrained (step 0).</summary>
    public required double UntrainedProbe { get; init; }

    /// <summary>Spearman ρ between −bits/dim and probe accuracy over the trained AR checkpoints (NaN if fewer than 2).</summary>
    public required double Spearman { get; init; }

    /// <summary>Best-layer grid-pooled probe accuracy of the largest AR network, untrained (NaN when off).</summary>
    public required double UntrainedGridProbe { get; init; }

    /// <summary>Spearman ρ between −bits/dim and grid-pooled probe accuracy over the trained AR checkpoints (NaN when off).</summary>
    public required double SpearmanGrid { get; init; }

    /// <summary>Spearman ρ over the trained masked checkpoints (masked bits/dim vs probe), NaN if none.</summary>
    public required double SpearmanMasked { get; init; }

    /// <summary>All checkpoints of all runs.</summary>
    public required IReadOnlyList<IgptRun> Runs { get; init; }

    /// <summary>The compression tie-in, or null when not run.</summary>
    public IgptCompression? Compression { get; init; }

    /// <summary>Wall-clock seconds of the whole experiment (informational; machine is shared).</summary>
    public double Seconds { get; init; }

    /// <summary>The options used.</summary>
    public required IgptOptions Options { get; init; }
}

/// <summary>
/// The iGPT experiment (Chen et al. 2020, "Generative Pretraining from Pixels") on small greyscale images:
/// tokenise, train each (objective, size) run with checkpoints, measure test bits/dim and per-layer linear-probe
/// accuracy at each checkpoint, the raw-pixel and untrained baselines, the Spearman correlation of −bits/dim
/// with probe accuracy, and the compressed size of test images under the AR model.
/// </summary>
public sealed class IgptExperiment
{
    private readonly Func<ModelSize, PixelObjective, int, IgptOptions, ITokenTransformer> _createModel;

    /// <summary>
    /// Creates an experiment whose models come from <paramref name="createModel"/>(size, objective, context T, options)
    /// (on the neural engine: <see cref="IgptModels.Create"/>; the model owns its optimiser and learning-rate schedule,
    /// configured from the options' steps, learning rate and seed).
    /// </summary>
    public IgptExperiment(Func<ModelSize, PixelObjective, int, IgptOptions, ITokenTransformer> createModel)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        _createModel = createModel;
    }

    /// <summary>Reports progress: (stage description, units done, units total).</summary>
    public Action<string, int, int>? Progress { get; set; }

    /// <summary>Runs the experiment on labelled <paramref name="train"/> and <paramref name="test"/> sets.</summary>
    /// <exception cref="ArgumentException">A set is unlabelled, empty, or the two differ in image size.</exception>
    public IgptResults Run(ImageSet train, ImageSet test, IgptOptions options, IReadOnlyDictionary<string, string>? dataDescription = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Labels is null || test.Labels is null)
        {
            throw new ArgumentException("train and test sets need labels.", nameof(train));
        }
        if (train.Rows != test.Rows || train.Cols != test.Cols)
        {
            throw new ArgumentException($"train images are {train.Rows}x{train.Cols} but test images {test.Rows}x{test.Cols}.", nameof(test));
        }
        if (options.Sizes.Count == 0 || options.Objectives.Count == 0 || options.Steps < options.Checkpoints || options.Checkpoints < 1)
        {
            throw new ArgumentException("need ≥ 1 size, ≥ 1 objective and steps ≥ checkpoints ≥ 1.", nameof(options));
        }
        var clock = Stopwatch.StartNew();
        if (options.TestImages > 0 && options.TestImages < test.Count)
        {
            test = test.Slice(0, options.TestImages);
        }
        byte[] trainLabels = train.Labels, testLabels = test.Labels!;
        var palette = PixelTokens.FitPalette(train, options.Downsample, options.Palette, options.PaletteSize);
        var trainTokens = new PixelTokens(train, options.Downsample, palette);
        var testTokens = new PixelTokens(test, options.Downsample, palette);
        int probeTrain = options.ProbeTrainImages > 0 ? Math.Min(options.ProbeTrainImages, train.Count) : train.Count;
        int classes = Math.Max(trainLabels.Max(), testLabels.Max()) + 1;
        classes = Math.Max(classes, 2);
        int runCount = options.Objectives.Sum(k => k == Objective.Masked && options.MaskedSizes is { } only ? options.Sizes.Count(s => only.Contains(s.Name)) : options.Sizes.Count);
        int perCheckpoint = layersMax(options) + 1 + 16;
        int unitsTotal = 1 + runCount * (options.Steps + (options.Checkpoints + 1) * perCheckpoint) + (options.CompressImages > 0 ? 20 : 0);
        static int layersMax(IgptOptions o) => o.Sizes.Max(s => s.Layers);
        int unitsDone = 0;
        void Report(string stage, int add)
        {
            unitsDone += add;
            Progress?.Invoke(stage, Math.Min(unitsDone, unitsTotal), unitsTotal);
        }

        // Baseline 1: raw pixels (downsampled grey levels in [0, 1], before palette quantisation).
        Report("raw-pixel probe", 0);
        var trainSmall = train.Downsample(options.Downsample);
        var testSmall = test.Downsample(options.Downsample);
        var rawTrain = ToFeatures(trainSmall.Pixels.AsSpan(0, probeTrain * trainSmall.PixelsPerImage));
        var rawTest = ToFeatures(testSmall.Pixels);
        var raw = LinearProbe.Run(rawTrain, trainLabels.AsSpan(0, probeTrain), rawTest, testLabels, trainSmall.PixelsPerImage, classes, options.Probe);
        Report("raw-pixel probe", 1);

        var runs = new List<IgptRun>();
        ITokenTransformer? finalAr = null;
        PixelObjective? finalArObjective = null;
        foreach (var kind in options.Objectives)
        {
            var objective = new PixelObjective(kind, palette.Size);
            foreach (var size in options.Sizes)
            {
                if (kind == Objective.Masked && options.MaskedSizes is { } only && !only.Contains(size.Name))
                {
                    continue;
                }
                string name = kind == Objective.Autoregressive ? "ar" : "masked";
                var model = _createModel(size, objective, trainTokens.Length, options);
                var rng = new Xoshiro256(options.Seed * 0x9E3779B97F4A7C15UL + (ulong)kind);
                var order = Enumerable.Range(0, train.Count).ToArray();
                int cursor = order.Length;
                int b = options.Batch, t = trainTokens.Length;
                var inputs = new int[b * t];
                var targets = new int[b * t];
                var batchImages = new int[b];
                double lossSum = 0;
                int lossCount = 0;
                int nextCheckpoint = 0;
                for (int step = 0; step <= options.Steps; step++)
                {
                    bool checkpoint = step == 0 || step == (int)((long)options.Steps * (nextCheckpoint) / options.Checkpoints);
                    if (checkpoint)
                    {
                        string stage = $"{name} {size.Name} step {step}: probes";
                        var run = Measure(model, objective, trainTokens, testTokens, probeTrain, classes, options, name, size, step,
                            lossCount > 0 ? lossSum / lossCount / Math.Log(2) : double.NaN, () => Report(stage, 1));
                        runs.Add(run);
                        lossSum = 0;
                        lossCount = 0;
                        nextCheckpoint++;
                        if (step == options.Steps)
                        {
                            break;
                        }
                    }
                    // one training step on the next B images of a seeded shuffle
                    for (int i = 0; i < b; i++)
                    {
                        if (cursor == order.Length)
                        {
                            Shuffle(order, ref rng);
                            cursor = 0;
                        }
                        batchImages[i] = order[cursor++];
                    }
                    objective.BuildBatch(trainTokens, batchImages, inputs, targets, ref rng);
                    double loss = model.TrainStep(inputs, targets, b);
                    lossSum += loss;
                    lossCount++;
                    Report($"{name} {size.Name} training (step {step + 1}/{options.Steps}, loss {loss / Math.Log(2):F3} bits)", 1);
                }
                if (kind == Objective.Autoregressive && ReferenceEquals(size, options.Sizes[^1]))
                {
                    finalAr = model;
                    finalArObjective = objective;
                }
            }
        }

        IgptCompression? compression = null;
        if (finalAr is not null && options.CompressImages > 0)
        {
            Report("compressing test images", 0);
            compression = Compress(finalAr, finalArObjective!, testTokens, options);
            Report("compressing test images", 20);
        }

        var ar = runs.Where(r => r.Objective == "ar" && r.Step > 0).ToArray();
        var masked = runs.Where(r => r.Objective == "masked" && r.Step > 0).ToArray();
        var untrained = runs.LastOrDefault(r => r.Step == 0 && r.Objective == "ar") ?? runs.Last(r => r.Step == 0);
        var data = new Dictionary<string, string>(dataDescription ?? new Dictionary<string, string>())
        {
            ["trainImages"] = train.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["testImages"] = test.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["probeTrainImages"] = probeTrain.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resolution"] = $"{trainTokens.Rows}x{trainTokens.Cols} (from {train.Rows}x{train.Cols})",
            ["palette"] = $"{options.Palette} {palette.Size} levels",
        };
        return new IgptResults
        {
            Data = data,
            PaletteLevels = palette.Levels.ToArray().Select(x => (int)x).ToArray(),
            RawPixelProbe = raw.TestAccuracy,
            UntrainedProbe = untrained.ProbeAccuracy,
            UntrainedGridProbe = untrained.GridProbeAccuracy,
            SpearmanGrid = ar.Length >= 2 && options.ProbeGrid > 1 ? RankCorrelation.Spearman(ar.Select(r => -r.BitsPerDim).ToArray(), ar.Select(r => r.GridProbeAccuracy).ToArray()) : double.NaN,
            Spearman = ar.Length >= 2 ? RankCorrelation.Spearman(ar.Select(r => -r.BitsPerDim).ToArray(), ar.Select(r => r.ProbeAccuracy).ToArray()) : double.NaN,
            SpearmanMasked = masked.Length >= 2 ? RankCorrelation.Spearman(masked.Select(r => -r.BitsPerDim).ToArray(), masked.Select(r => r.ProbeAccuracy).ToArray()) : double.NaN,
            Runs = runs,
            Compression = compression,
            Seconds = clock.Elapsed.TotalSeconds,
            Options = options,
        };
    }

    private static void Shuffle(int[] order, ref Xoshiro256 rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private static float[] ToFeatures(ReadOnlySpan<byte> pixels)
    {
        var x = new float[pixels.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = pixels[i] / 255f;
        }
        return x;
    }

    private static IgptRun Measure(ITokenTransformer model, PixelObjective objective, PixelTokens train, PixelTokens test, int probeTrain,
        int classes, IgptOptions options, string name, ModelSize size, int step, double trainLoss, Action tick)
    {
        int grid = options.ProbeGrid > 1 ? options.ProbeGrid : 1;
        var (trainMean, trainGrid, _) = Features(model, objective, train, probeTrain, options, false, tick);
        var (testMean, testGrid, bits) = Features(model, objective, test, test.Count, options, true, tick);
        var trainLabels = train.Labels.AsSpan(0, probeTrain);
        var (acc, best) = ProbeLayers(trainMean, trainLabels, testMean, test.Labels, model.Width, classes, options, tick);
        double gridAcc = double.NaN;
        int gridBest = 0;
        double[] gridAccs = [];
        if (grid > 1)
        {
            (gridAccs, gridBest) = ProbeLayers(trainGrid!, trainLabels, testGrid!, test.Labels, grid * grid * model.Width, classes, options, tick);
            gridAcc = gridAccs[gridBest];
        }
        return new IgptRun(name, size.Name, model.ParameterCount, step, bits, trainLoss, acc[best], best, acc, gridAcc, gridBest, gridAccs);
    }

    /// <summary>Probes every layer; the best layer is chosen by validation accuracy.</summary>
    private static (double[] Accuracies, int Best) ProbeLayers(float[][] trainX, ReadOnlySpan<byte> trainY, float[][] testX, ReadOnlySpan<byte> testY,
        int features, int classes, IgptOptions options, Action tick)
    {
        var acc = new double[trainX.Length];
        double bestVal = -1;
        int best = 0;
        for (int l = 0; l < trainX.Length; l++)
        {
            var r = LinearProbe.Run(trainX[l], trainY, testX[l], testY, features, classes, options.Probe);
            acc[l] = r.TestAccuracy;
            if (r.ValidationAccuracy > bestVal)
            {
                bestVal = r.ValidationAccuracy;
                best = l;
            }
            tick();
        }
        return (acc, best);
    }

    /// <summary>
    /// Per-layer features of the first <paramref name="count"/> images of <paramref name="data"/> (clean inputs; for AR
    /// the start token is prepended, for masked nothing is masked, as in iGPT's BERT probes): mean-pooled [L+1][N·C] and,
    /// when enabled, grid-pooled [L+1][N·G·G·C]; plus the bits/dim when <paramref name="withBits"/>.
    /// </summary>
    private static (float[][] Mean, float[][]? Grid, double Bits) Features(ITokenTransformer model, PixelObjective objective, PixelTokens data,
        int count, IgptOptions options, bool withBits, Action tick)
    {
        int layers = model.Layers + 1, c = model.Width, t = data.Length, evalBatch = options.EvalBatch;
        int grid = options.ProbeGrid > 1 ? options.ProbeGrid : 1;
        int rows = data.Rows, cols = data.Cols;
        var mean = new float[layers][];
        var gridded = grid > 1 ? new float[layers][] : null;
        for (int l = 0; l < layers; l++)
        {
            mean[l] = new float[count * c];
            if (gridded is not null)
            {
                gridded[l] = new float[count * grid * grid * c];
            }
        }
        // region of each position in the G×G grid, and the region sizes
        var region = new int[t];
        var regionSize = new int[grid * grid];
        for (int i = 0; i < t; i++)
        {
            int y = i / cols, x = i % cols;
            region[i] = y * grid / rows * grid + x * grid / cols;
            regionSize[region[i]]++;
        }
        var rng = new Xoshiro256(options.Seed ^ 0x5EEDUL);
        double bits = 0;
        long positions = 0;
        int ticks = 0, tickEvery = Math.Max(1, count / evalBatch / 8);
        for (int start = 0; start < count; start += evalBatch)
        {
            int b = Math.Min(evalBatch, count - start);
            var images = Enumerable.Range(start, b).ToArray();
            var inputs = new int[b * t];
            var targets = new int[b * t];
            if (objective.Kind == Objective.Autoregressive)
            {
                objective.BuildBatch(data, images, inputs, targets, ref rng);
            }
            else
            {
                for (int i = 0; i < b * t; i++)
                {
                    inputs[i] = data.Tokens[start * t + i];
                }
            }
            model.Forward(inputs, b);
            if (withBits && objective.Kind == Objective.Autoregressive)
            {
                for (int i = 0; i < b; i++)
                {
                    var (n, k) = objective.Bits(model, targets, i);
                    bits += n;
                    positions += k;
                }
            }
            var acts = model.LayerActivations(b);   // [b, L+1, T, C]
            for (int i = 0; i < b; i++)
            {
                for (int l = 0; l < layers; l++)
                {
                    var m = mean[l].AsSpan((start + i) * c, c);
                    var g = gridded is null ? default : gridded[l].AsSpan((start + i) * grid * grid * c, grid * grid * c);
                    for (int p = 0; p < t; p++)
                    {
                        var x = acts.AsSpan((((i * layers) + l) * t + p) * c, c);
                        for (int j = 0; j < c; j++)
                        {
                            m[j] += x[j] / t;
                        }
                        if (gridded is not null)
                        {
                            var gr = g.Slice(region[p] * c, c);
                            float w = 1f / regionSize[region[p]];
                            for (int j = 0; j < c; j++)
                            {
                                gr[j] += x[j] * w;
                            }
                        }
                    }
                }
            }
            if (withBits && objective.Kind == Objective.Masked)
            {
                // masked "bits/dim": loss on a seeded 15% mask of the test images
                objective.BuildBatch(data, images, inputs, targets, ref rng);
                model.Forward(inputs, b);
                for (int i = 0; i < b; i++)
                {
                    var (n, k) = objective.Bits(model, targets, i);
                    bits += n;
                    positions += k;
                }
            }
            if (++ticks % tickEvery == 0)
            {
                tick();
            }
        }
        return (mean, gridded, positions > 0 ? bits / positions : double.NaN);
    }

    private static IgptCompression Compress(ITokenTransformer model, PixelObjective objective, PixelTokens test, IgptOptions options)
    {
        int n = Math.Min(options.CompressImages, test.Count);
        var coder = new PixelCompressor(model, objective);
        var tokens = test.Tokens.AsSpan(0, n * test.Length).ToArray();
        var (bytes, modelBits) = coder.Compress(tokens, n);
        int decode = n;
        if (decode > 0)
        {
            var back = coder.Decompress(bytes, n);
            if (!back.AsSpan().SequenceEqual(tokens))
            {
                throw new InvalidOperationException("range-coded pixels did not decode back to the originals.");
            }
        }
        long pixels = (long)n * test.Length;
        var baselines = PixelBaselines.Measure(tokens, test.Rows, test.Cols, test.Palette.Size);
        return new IgptCompression(n, pixels, modelBits / pixels, bytes.Length * 8.0 / pixels, decode, baselines);
    }
}
