namespace Kolmo.Vision;

/// <summary>The linear probe of one layer.</summary>
/// <param name="Layer">0 = embeddings, l = after block l (for raw pixels: 0).</param>
/// <param name="TestAccuracy">Accuracy on the test images of the probe refitted on all probe-training images.</param>
/// <param name="ValidationAccuracy">Accuracy of the chosen λ on the held-out validation images.</param>
/// <param name="ValidationLogLoss">Log-loss (nats) of the chosen λ on the validation images.</param>
/// <param name="L2">The chosen λ.</param>
/// <param name="LambdasTried">λs fitted on the validation path.</param>
/// <param name="Iterations">L-BFGS iterations, path and refit together.</param>
/// <param name="MaxFitIterations">The most iterations any single fit took.</param>
/// <param name="Converged">Every fit reached the gradient tolerance.</param>
/// <param name="MaxGradient">The largest max |∂J/∂θ| at which one of its fits stopped (a fit that did not reach the tolerance stopped at the iteration cap or where the line search could no longer descend).</param>
public sealed record LayerProbe(int Layer, double TestAccuracy, double ValidationAccuracy, double ValidationLogLoss, double L2, int LambdasTried,
    int Iterations, int MaxFitIterations, bool Converged, double MaxGradient);

/// <summary>Probes of every layer under one pooling, and the layer chosen by validation accuracy.</summary>
/// <param name="Pooling">"mean" (iGPT: average over all positions), "grid G×G" (average over each of G×G image regions, concatenated) or "pixels".</param>
/// <param name="Features">Features per image.</param>
/// <param name="BestLayer">The layer with the best validation accuracy (ties: lower validation log-loss).</param>
/// <param name="Layers">Every layer's probe.</param>
public sealed record PooledProbe(string Pooling, int Features, int BestLayer, IReadOnlyList<LayerProbe> Layers)
{
    /// <summary>Test accuracy of the chosen layer.</summary>
    public double TestAccuracy => Layers[BestLayer].TestAccuracy;

    /// <summary>Validation accuracy of the chosen layer.</summary>
    public double ValidationAccuracy => Layers[BestLayer].ValidationAccuracy;
}

/// <summary>One checkpoint of one run.</summary>
/// <param name="Objective">"ar" or "masked".</param>
/// <param name="Size">Model size name.</param>
/// <param name="SeedIndex">The run's seed index.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Step">Training steps done (0 = untrained).</param>
/// <param name="Epochs">Passes over the training images done.</param>
/// <param name="TrainBits">Mean training loss (bits per target) over the steps since the previous checkpoint; null at step 0.</param>
/// <param name="TestBits">Test bits per pixel. AR: −log2 p(x_t | x_&lt;t) over every pixel of every test image, the code length.
/// Masked: the same over a fixed 15% of positions given the rest (not a likelihood of the image).</param>
/// <param name="BottomHalfBits">AR: bits per pixel of the bottom half given the top half; null for masked.</param>
/// <param name="Mean">Mean-pooled probes.</param>
/// <param name="Grid">Grid-pooled probes (null when off).</param>
/// <param name="TrainCpuSeconds">Process CPU-seconds spent training this run up to this step.</param>
/// <param name="MeasureCpuSeconds">Process CPU-seconds of this measurement (features and probes).</param>
public sealed record IgptMeasurement(string Objective, string Size, int SeedIndex, long Parameters, int Step, double Epochs, double? TrainBits,
    double TestBits, double? BottomHalfBits, PooledProbe Mean, PooledProbe? Grid, double TrainCpuSeconds, double MeasureCpuSeconds);

/// <summary>Spearman's ρ between −bits/dim and probe accuracy over checkpoints, with a bootstrap interval over test images.</summary>
/// <param name="Pooling">Which probe.</param>
/// <param name="Points">Checkpoints in the correlation.</param>
/// <param name="Rho">ρ.</param>
/// <param name="Low">2.5th percentile of ρ over 1,000 resamples of the test images.</param>
/// <param name="High">97.5th percentile.</param>
public sealed record SpearmanSummary(string Pooling, int Points, double Rho, double? Low, double? High);

/// <summary>Mean and sample standard deviation over seeds.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="Sd">Standard deviation (n − 1 denominator; 0 for one value).</param>
/// <param name="Values">The values, by seed.</param>
public sealed record MeanSd(double Mean, double Sd, IReadOnlyList<double> Values)
{
    /// <summary>Summarises <paramref name="values"/>.</summary>
    public static MeanSd Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new MeanSd(double.NaN, double.NaN, values);
        }
        double m = values.Average();
        double ss = values.Sum(v => (v - m) * (v - m));
        return new MeanSd(m, values.Count > 1 ? Math.Sqrt(ss / (values.Count - 1)) : 0, values);
    }
}

/// <summary>AR against masked pretraining of one size at equal compute (same architecture, steps, batch, images and seeds), final checkpoints.</summary>
/// <param name="Size">Model size.</param>
/// <param name="Steps">Training steps of every run.</param>
/// <param name="ArMean">AR, mean-pooled probe accuracy over seeds.</param>
/// <param name="MaskedMean">Masked, mean-pooled.</param>
/// <param name="DifferenceMean">AR − masked per seed (paired), mean-pooled.</param>
/// <param name="ArGrid">AR, grid-pooled (null when off).</param>
/// <param name="MaskedGrid">Masked, grid-pooled.</param>
/// <param name="DifferenceGrid">AR − masked per seed, grid-pooled.</param>
/// <param name="ArTrainCpuSeconds">Mean training CPU-seconds of the AR runs.</param>
/// <param name="MaskedTrainCpuSeconds">Mean training CPU-seconds of the masked runs.</param>
public sealed record ObjectiveComparison(string Size, int Steps, MeanSd ArMean, MeanSd MaskedMean, MeanSd DifferenceMean,
    MeanSd? ArGrid, MeanSd? MaskedGrid, MeanSd? DifferenceGrid, double ArTrainCpuSeconds, double MaskedTrainCpuSeconds);

/// <summary>The compression tie-in: the final AR model driving the range coder on test images.</summary>
/// <param name="Images">Test images coded.</param>
/// <param name="Pixels">Pixels (tokens) coded.</param>
/// <param name="ModelBitsPerDim">The model's log-loss on those pixels (ideal code length).</param>
/// <param name="CodedBitsPerDim">Actual compressed bits per pixel of the range-coded stream.</param>
/// <param name="DecodedImages">Images decoded back and checked identical (all of them).</param>
/// <param name="Baselines">Bits per pixel of other coders on the same token bytes (name → bits/dim).</param>
public sealed record IgptCompression(int Images, long Pixels, double ModelBitsPerDim, double CodedBitsPerDim, int DecodedImages,
    IReadOnlyDictionary<string, double> Baselines);

/// <summary>iGPT's completion figure: the top half of test images given, the rest sampled by the final AR model.</summary>
/// <param name="Height">Image height (after downsampling).</param>
/// <param name="Width">Image width.</param>
/// <param name="GivenRows">Rows given to the model.</param>
/// <param name="Originals">Each test image's grey levels (palette-quantised), [H·W].</param>
/// <param name="Completions">Per image, the sampled completions (given rows copied, the rest sampled), [H·W] grey levels each.</param>
/// <param name="BottomHalfBits">Bits per pixel the model needs for the true bottom halves given the top halves, over all test images.</param>
/// <param name="TopHalfBits">Bits per pixel of the top halves, over all test images.</param>
public sealed record IgptCompletions(int Height, int Width, int GivenRows, IReadOnlyList<byte[]> Originals, IReadOnlyList<IReadOnlyList<byte[]>> Completions,
    double BottomHalfBits, double TopHalfBits);

/// <summary>Images sampled from scratch by the final AR model (start token only).</summary>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Images">Grey levels, [H·W] each.</param>
public sealed record IgptSamples(int Height, int Width, IReadOnlyList<byte[]> Images);

/// <summary>The training loss of one run over its steps.</summary>
/// <param name="Run">Run name ("ar-2x64-s0").</param>
/// <param name="Steps">Last step of each averaging window.</param>
/// <param name="Bits">Mean training loss (bits per target) over the window.</param>
public sealed record IgptTrainingCurve(string Run, IReadOnlyList<int> Steps, IReadOnlyList<double> Bits);

/// <summary>Everything an <see cref="IgptExperiment"/> measured.</summary>
public sealed record IgptResults
{
    /// <summary>Description of the data (paths, counts, resolution, palette).</summary>
    public required IReadOnlyDictionary<string, string> Data { get; init; }

    /// <summary>The palette levels used.</summary>
    public required IReadOnlyList<int> PaletteLevels { get; init; }

    /// <summary>Raw pixels (downsampled grey levels) through the same probe.</summary>
    public required PooledProbe RawPixels { get; init; }

    /// <summary>Every checkpoint of every run.</summary>
    public required IReadOnlyList<IgptMeasurement> Measurements { get; init; }

    /// <summary>The final AR model's size name (the last size).</summary>
    public required string FinalSize { get; init; }

    /// <summary>Spearman ρ(−bits/dim, probe accuracy) over the trained seed-0 AR checkpoints of every size, mean-pooled and grid-pooled.</summary>
    public required IReadOnlyList<SpearmanSummary> Curve { get; init; }

    /// <summary>AR vs masked at equal compute, one entry per masked size.</summary>
    public required IReadOnlyList<ObjectiveComparison> Comparisons { get; init; }

    /// <summary>Training loss curves of every run.</summary>
    public required IReadOnlyList<IgptTrainingCurve> TrainingCurves { get; init; }

    /// <summary>The compression tie-in (null when off).</summary>
    public IgptCompression? Compression { get; init; }

    /// <summary>Completions of test images (null when off).</summary>
    public IgptCompletions? Completions { get; init; }

    /// <summary>Samples from scratch (null when off).</summary>
    public IgptSamples? Samples { get; init; }

    /// <summary>The options used.</summary>
    public required IgptOptions Options { get; init; }

    /// <summary>The library builds that worked on the experiment (more than one when it was resumed with another build).</summary>
    public IReadOnlyList<string> Builds { get; init; } = [];

    /// <summary>Process CPU-seconds of the whole experiment, summed over resumed sessions (training, measurements, baselines, coding).</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Wall-clock seconds, summed over resumed sessions (informational; the machine may be shared).</summary>
    public double WallSeconds { get; init; }

    /// <summary>
    /// The best trained AR checkpoint under <paramref name="pooling"/> ("mean" or "grid"), chosen by validation accuracy
    /// over every size and step (never by test accuracy); null when none.
    /// </summary>
    public IgptMeasurement? BestAr(string pooling) => Measurements
        .Where(m => m.Objective == "ar" && m.Step > 0 && (pooling == "mean" || m.Grid is not null))
        .OrderByDescending(m => (pooling == "mean" ? m.Mean : m.Grid!).ValidationAccuracy)
        .ThenBy(m => m.TestBits)
        .FirstOrDefault();

    /// <summary>The seed-0 AR measurements of the final size.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<IgptMeasurement> FinalRun => Measurements.Where(m => m.Objective == "ar" && m.Size == FinalSize && m.SeedIndex == 0).OrderBy(m => m.Step).ToArray();
}

/// <summary>Progress of a running experiment.</summary>
/// <param name="Stage">What is happening ("training", "features", "probes", "coding", …).</param>
/// <param name="Run">The run ("ar-2x64-s0"), or null between runs.</param>
/// <param name="Epoch">Epochs done in this run.</param>
/// <param name="Epochs">Epochs the run will do.</param>
/// <param name="LossBits">Recent training loss in bits per target (null when not training).</param>
/// <param name="WorkDone">Estimated work done (arbitrary units proportional to compute, including resumed work).</param>
/// <param name="WorkTotal">Estimated total work.</param>
public sealed record IgptProgress(string Stage, string? Run, double Epoch, double Epochs, double? LossBits, double WorkDone, double WorkTotal);

/// <summary>JSON of <see cref="IgptResults"/>.</summary>
public static class IgptResultsJson
{
    /// <summary>The results as indented JSON (camelCase; enums as names; NaN as "NaN").</summary>
    public static string Serialize(IgptResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return System.Text.Json.JsonSerializer.Serialize(results, IgptJson.Default.IgptResults);
    }

    /// <summary>Reads results written by <see cref="Serialize"/>.</summary>
    /// <exception cref="InvalidDataException">Not valid results JSON.</exception>
    public static IgptResults Deserialize(string json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, IgptJson.Default.IgptResults) ?? throw new InvalidDataException("empty results");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException(e.Message);
        }
    }
}
