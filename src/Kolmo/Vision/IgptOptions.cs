using System.Globalization;
using Kolmo.Learning;

namespace Kolmo.Vision;

/// <summary>A model size of the sweep: blocks, width and attention heads.</summary>
/// <param name="Name">Label used in tables ("2x64").</param>
/// <param name="Layers">Transformer blocks L.</param>
/// <param name="Width">Model width C.</param>
/// <param name="Heads">Attention heads (C must be a multiple).</param>
public sealed record ModelSize(string Name, int Layers, int Width, int Heads)
{
    /// <summary>Parses "LxC" or "LxCxH" (heads default to max(1, C/16)) into a size named after the text.</summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static ModelSize Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var parts = text.Split('x', 'X', '×');
        if (parts.Length is < 2 or > 3 || !parts.All(p => int.TryParse(p, CultureInfo.InvariantCulture, out int v) && v > 0))
        {
            throw new FormatException($"model size '{text}' is not LAYERSxWIDTH[xHEADS] (e.g. 2x32).");
        }
        int l = int.Parse(parts[0], CultureInfo.InvariantCulture);
        int c = int.Parse(parts[1], CultureInfo.InvariantCulture);
        int h = parts.Length == 3 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : Math.Max(1, c / 16);
        if (c % h != 0)
        {
            throw new FormatException($"model size '{text}': width {c} is not a multiple of {h} heads.");
        }
        return new ModelSize(parts.Length == 3 ? $"{l}x{c}x{h}" : $"{l}x{c}", l, c, h);
    }

    /// <summary>Forward-pass multiply-adds ×2 per token at context <paramref name="context"/> and vocabulary <paramref name="vocabulary"/> (a cost estimate).</summary>
    public double ForwardFlopsPerToken(int context, int vocabulary) =>
        24.0 * Layers * Width * Width + 4.0 * Layers * context * Width + 2.0 * vocabulary * Width;
}

/// <summary>One training run of the experiment: an objective, a size and a seed.</summary>
/// <param name="Objective">Next-pixel or masked.</param>
/// <param name="Size">The model size.</param>
/// <param name="SeedIndex">0, 1, …: the run's seed is the experiment's seed plus this.</param>
public sealed record IgptRunSpec(Objective Objective, ModelSize Size, int SeedIndex)
{
    /// <summary>"ar" or "masked".</summary>
    public string ObjectiveName => Objective == Objective.Autoregressive ? "ar" : "masked";

    /// <summary>Folder-safe name, e.g. "ar-2x64-s0".</summary>
    public string Name => $"{ObjectiveName}-{Size.Name}-s{SeedIndex}";
}

/// <summary>Settings of an <see cref="IgptExperiment"/>. The presets <see cref="Quick"/> and <see cref="Full"/> are starting points.</summary>
public sealed record IgptOptions
{
    /// <summary>Downsampling factor (2: 28×28 → 14×14). Default 2.</summary>
    public int Downsample { get; init; } = 2;

    /// <summary>Palette kind. Default k-means.</summary>
    public PaletteKind Palette { get; init; } = PaletteKind.KMeans;

    /// <summary>Palette size K. Default 16.</summary>
    public int PaletteSize { get; init; } = 16;

    /// <summary>Model sizes trained with the next-pixel (AR) objective, smallest first (≥ 1); the last one is the final model.</summary>
    public IReadOnlyList<ModelSize> Sizes { get; init; } = [ModelSize.Parse("1x32"), ModelSize.Parse("1x64"), ModelSize.Parse("2x64")];

    /// <summary>Names of the sizes also trained with the masked objective, at equal compute, for the AR-vs-masked comparison (empty = none).</summary>
    public IReadOnlyList<string> MaskedSizes { get; init; } = [];

    /// <summary>Seeds of the AR-vs-masked comparison (each masked size is trained with both objectives under seeds 0..Seeds−1). Default 1.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Training steps per run.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Evenly spaced checkpoints (Steps/n, 2·Steps/n, …, Steps) where the model is saved and measured; step 0 (untrained) is measured too.</summary>
    public int Checkpoints { get; init; } = 4;

    /// <summary>Images per training step.</summary>
    public int Batch { get; init; } = 16;

    /// <summary>Peak learning rate (AdamW; linear warm-up over the first 5% of steps, then cosine decay to 10%).</summary>
    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>Base seed: run seed = this + the run's seed index (initialisation, batch order, masks).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Cap on training images whose features train the probes (0 = all).</summary>
    public int ProbeTrainImages { get; init; }

    /// <summary>Cap on test images (0 = all).</summary>
    public int TestImages { get; init; }

    /// <summary>Beside iGPT's mean pooling, pool over a G×G grid of image regions (G·G·C features per layer). 0 or 1 = off. Default 4.</summary>
    public int ProbeGrid { get; init; } = 4;

    /// <summary>Forward-pass batch for evaluation and feature extraction.</summary>
    public int EvalBatch { get; init; } = 50;

    /// <summary>Linear probe settings (λ grid, validation fraction, convergence).</summary>
    public ProbeOptions Probe { get; init; } = new();

    /// <summary>Test images range-coded by the final AR model (and decoded back). Default 100.</summary>
    public int CompressImages { get; init; } = 100;

    /// <summary>Test images whose bottom half the final AR model completes. Default 8.</summary>
    public int CompletionImages { get; init; } = 8;

    /// <summary>Completions sampled per image. Default 4.</summary>
    public int CompletionSamples { get; init; } = 4;

    /// <summary>Images sampled from scratch by the final AR model. Default 16.</summary>
    public int SampleImages { get; init; } = 16;

    /// <summary>Bytes of probe features held in memory; beyond it features go to memory-mapped temporary files. Default 2 GiB.</summary>
    public long FeatureMemory { get; init; } = 2L << 30;

    /// <summary>
    /// A small run for a first look (about a minute of CPU time on the shipped 2,500-image MNIST sample): one 1x64 AR
    /// model, 1,200 steps of 16 images (7.7 epochs), probes on every training and test image, 4×4 grid pooling.
    /// </summary>
    public static IgptOptions Quick => new()
    {
        Sizes = [ModelSize.Parse("1x64")],
        Steps = 1200,
        Checkpoints = 1,
        Batch = 16,
        LearningRate = 5e-3f,
        CompressImages = 20,
        CompletionImages = 6,
        CompletionSamples = 3,
        SampleImages = 8,
        Probe = new ProbeOptions { L2Grid = [1e-1, 1e-2, 1e-3], MaxIterations = 1000 },
    };

    /// <summary>
    /// The committed result's settings (resumable; about half an hour of two cores on the 8k/2k MNIST split): three AR
    /// sizes (1x32, 1x64, 2x128; the last is the final model) for the loss–probe curve, each measured at step 0 and 4
    /// checkpoints; 1x32 also trained with the masked objective at equal compute over three seeds; 4,000 steps of 16
    /// images (8 epochs of 8,000 images); 2×2 grid pooling; probes on every training and test image.
    /// </summary>
    public static IgptOptions Full => new()
    {
        Sizes = [ModelSize.Parse("1x32"), ModelSize.Parse("1x64"), ModelSize.Parse("2x128")],
        MaskedSizes = ["1x32"],
        Seeds = 3,
        Steps = 4000,
        Checkpoints = 4,
        Batch = 16,
        LearningRate = 5e-3f,
        ProbeGrid = 2,
        CompressImages = 100,
    };

    /// <summary>Every run these options call for, in training order: AR for each size (seed 0), then for each masked size the other AR seeds and the masked seeds.</summary>
    public IReadOnlyList<IgptRunSpec> Runs()
    {
        var runs = Sizes.Select(s => new IgptRunSpec(Objective.Autoregressive, s, 0)).ToList();
        foreach (var name in MaskedSizes)
        {
            var size = Sizes.First(s => s.Name == name);
            for (int seed = 0; seed < Seeds; seed++)
            {
                if (seed > 0)
                {
                    runs.Add(new IgptRunSpec(Objective.Autoregressive, size, seed));
                }
                runs.Add(new IgptRunSpec(Objective.Masked, size, seed));
            }
        }
        return runs;
    }

    /// <summary>The measured steps: 0 and round(Steps·k/Checkpoints) for k = 1..Checkpoints.</summary>
    public IReadOnlyList<int> CheckpointSteps() => Enumerable.Range(0, Checkpoints + 1).Select(k => (int)((long)Steps * k / Checkpoints)).Distinct().ToArray();

    /// <summary>
    /// The measured steps of one run: every <see cref="CheckpointSteps()"/> for seed 0 (the loss–probe curve and the
    /// training plots); only the final step for the further seeds of the AR-vs-masked comparison, which uses final
    /// checkpoints alone.
    /// </summary>
    public IReadOnlyList<int> CheckpointSteps(IgptRunSpec run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.SeedIndex == 0 ? CheckpointSteps() : [Steps];
    }

    /// <summary>Checks ranges and cross-references.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or a masked size is not among the sizes.</exception>
    public void Validate()
    {
        if (Sizes.Count == 0)
        {
            throw new ArgumentException("need at least one model size.", nameof(Sizes));
        }
        if (Sizes.Select(s => s.Name).Distinct().Count() != Sizes.Count)
        {
            throw new ArgumentException("model sizes repeat.", nameof(Sizes));
        }
        if (MaskedSizes.FirstOrDefault(m => Sizes.All(s => s.Name != m)) is { } missing)
        {
            throw new ArgumentException($"masked size {missing} is not among the sizes.", nameof(MaskedSizes));
        }
        if (Steps < 1 || Checkpoints < 1 || Checkpoints > Steps)
        {
            throw new ArgumentException($"need steps ≥ checkpoints ≥ 1 (steps {Steps}, checkpoints {Checkpoints}).", nameof(Steps));
        }
        if (Seeds < 1 || Batch < 1 || EvalBatch < 1 || Downsample < 1 || PaletteSize is < 2 or > 256 || !(LearningRate > 0) || !float.IsFinite(LearningRate))
        {
            throw new ArgumentException("seeds, batch, eval batch and downsampling must be ≥ 1, the palette 2..256, the learning rate > 0.", nameof(Seeds));
        }
        if (ProbeTrainImages < 0 || TestImages < 0 || ProbeGrid is < 0 or > 14 || CompressImages < 0 || CompletionImages < 0 || CompletionSamples < 0
            || SampleImages < 0 || FeatureMemory < 0)
        {
            throw new ArgumentException("image counts and limits must be ≥ 0 and the probe grid at most 14.", nameof(ProbeTrainImages));
        }
    }
}
