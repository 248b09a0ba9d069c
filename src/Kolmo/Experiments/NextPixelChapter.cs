using Kolmo.Learning;
using Kolmo.Neural;
using Kolmo.Vision;

namespace Kolmo.Experiments;

/// <summary>
/// Settings of the next-pixel chapter: one small iGPT run (<see cref="IgptExperiment"/>) on the built-in digits, with
/// <c>kolmo igpt --quick</c>'s settings (<see cref="IgptOptions.Quick"/>) except those named here, so that the command
/// <see cref="Command"/> repeats it.
/// </summary>
public sealed record NextPixelOptions
{
    /// <summary>The transformer, <c>LAYERSxWIDTH</c> (<see cref="ModelSize.Parse"/>).</summary>
    public string Size { get; init; } = "1x64";

    /// <summary>Training steps (AdamW, 16 images each; 2,400 are about 15 passes over the 2,500 training digits).</summary>
    public int Steps { get; init; } = 2_400;

    /// <summary>Evenly spaced measured checkpoints besides the untrained network (the loss–probe points).</summary>
    public int Checkpoints { get; init; } = 3;

    /// <summary>Test images: the last ones of the sample; the others train the model and the probes.</summary>
    public int TestImages { get; init; } = 500;

    /// <summary>Cap on the training images whose features train the probes (0 = all).</summary>
    public int ProbeTrainImages { get; init; }

    /// <summary>Grid of the second pooling (G×G regions; 0 = mean pooling only).</summary>
    public int ProbeGrid { get; init; } = 4;

    /// <summary>Test images range-coded by the trained model and decoded back.</summary>
    public int CompressImages { get; init; } = 20;

    /// <summary>Test images whose bottom half the trained model completes.</summary>
    public int CompletionImages { get; init; } = 6;

    /// <summary>The <see cref="IgptOptions"/> of this chapter for <paramref name="seed"/> and <paramref name="threads"/> (threads change only the speed).</summary>
    public IgptOptions Igpt(ulong seed, int threads)
    {
        var q = IgptOptions.Quick;
        return q with
        {
            Sizes = [ModelSize.Parse(Size)],
            Steps = Steps,
            Checkpoints = Checkpoints,
            Seed = seed,
            ProbeTrainImages = ProbeTrainImages,
            ProbeGrid = ProbeGrid,
            CompressImages = CompressImages,
            CompletionImages = CompletionImages,
            SampleImages = 0,
            Probe = q.Probe with { Threads = Math.Max(1, threads) },
        };
    }

    /// <summary>
    /// The <c>kolmo igpt</c> command that repeats this chapter with <paramref name="seed"/> on the built-in sample of
    /// <paramref name="images"/> images (the command's default split holds out the last 500).
    /// </summary>
    public string Command(ulong seed, int images)
    {
        var q = IgptOptions.Quick;
        var c = new System.Text.StringBuilder("kolmo igpt --quick");
        void Add(bool differs, string flag)
        {
            if (differs)
            {
                c.Append(' ').Append(flag);
            }
        }
        Add(TestImages != 500, $"--split {images - TestImages}");
        Add(q.Sizes.Count != 1 || q.Sizes[0].Name != Size, $"--sizes {Size}");
        Add(q.Steps != Steps, $"--steps {Steps}");
        Add(q.Checkpoints != Checkpoints, $"--checkpoints {Checkpoints}");
        Add(ProbeTrainImages != 0, $"--probe-train {ProbeTrainImages}");
        Add(q.ProbeGrid != ProbeGrid, $"--probe-grid {ProbeGrid}");
        Add(q.CompressImages != CompressImages, $"--compress {CompressImages}");
        Add(q.CompletionImages != CompletionImages, $"--completions {CompletionImages}");
        c.Append(" --samples 0");
        Add(seed != q.Seed, $"--seed {seed}");
        return c.Append(" --out igpt-tour").ToString();
    }
}

/// <summary>What the next-pixel chapter measured.</summary>
/// <param name="Data">Description of the images.</param>
/// <param name="TrainImages">Images the model and the probes trained on.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="Command">The <c>kolmo igpt</c> command that repeats the run.</param>
/// <param name="Igpt">The iGPT run: the raw-pixel probe, every checkpoint (test bits per pixel, probes of every layer under
/// mean and grid pooling), the range-coded test images and the completions — the record <c>kolmo igpt</c> writes as
/// results.json.</param>
/// <param name="Cost">Time spent.</param>
public sealed record NextPixelResult(string Data, int TrainImages, int TestImages, string Command, IgptResults Igpt, ChapterCost Cost)
{
    /// <summary>The measured checkpoints of the model, untrained first.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<IgptMeasurement> Points => Igpt.FinalRun;

    /// <summary>Test accuracy of the best probe (by validation, over layers and poolings) of a checkpoint.</summary>
    public static double BestProbe(IgptMeasurement m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.Grid is { } g && g.ValidationAccuracy > m.Mean.ValidationAccuracy ? g.TestAccuracy : m.Mean.TestAccuracy;
    }
}

/// <summary>
/// Chapter "next-pixel prediction" (iGPT, Chen et al. 2020): a small transformer learns only to predict the next pixel
/// of digit images; linear probes on its features are set against the same probe on raw pixels and on the untrained
/// network, at each checkpoint beside its test bits per pixel; the trained model then range-codes test images and
/// completes their bottom halves. Runs <see cref="IgptExperiment"/> on the engine's models (<see cref="IgptModels"/>),
/// as <c>kolmo igpt</c> does.
/// </summary>
public static class NextPixelChapter
{
    /// <summary>Runs the chapter on labelled <paramref name="images"/> (the last <see cref="NextPixelOptions.TestImages"/> test).</summary>
    /// <exception cref="ArgumentException">The images are unlabelled or too few for the split, or the options are invalid.</exception>
    public static NextPixelResult Run(NextPixelOptions o, ImageSet images, string dataDescription, ulong seed, int threads, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(progress);
        if (images.Labels is null)
        {
            throw new ArgumentException("the images need labels", nameof(images));
        }
        int test = o.TestImages, train = images.Count - test;
        if (test < 1 || train < 2)
        {
            throw new ArgumentException($"{images.Count} images cannot be split into {test} test images and at least 2 training images", nameof(o));
        }
        var (result, cost) = ChapterCost.Measure(() =>
        {
            int before = NeuralRuntime.Threads;
            NeuralRuntime.Threads = Math.Max(1, threads);
            try
            {
                var experiment = new IgptExperiment(IgptModels.Create)
                {
                    Progress = p => progress.Report(p.WorkTotal > 0 ? 0.98 * p.WorkDone / p.WorkTotal : 0,
                        p.LossBits is double loss ? $"{p.Stage}: epoch {p.Epoch:F1} of {p.Epochs:F1}, loss {loss:F3} bits" : p.Stage),
                };
                var description = new Dictionary<string, string> { ["dataset"] = dataDescription };
                var r = experiment.Run(images.Slice(0, train), images.Slice(train, test), o.Igpt(seed, threads), description);
                progress.Report(1, "done");
                return new NextPixelResult(dataDescription, train, test, o.Command(seed, images.Count), r, new ChapterCost(0, 0));
            }
            finally
            {
                NeuralRuntime.Threads = before;
            }
        });
        return result with { Cost = cost };
    }
}
