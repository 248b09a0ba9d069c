namespace Kolmo.Learning;

/// <summary>Settings of a <see cref="LinearProbe"/>.</summary>
public sealed record ProbeOptions
{
    /// <summary>L2 strengths tried, strongest first (the path is warm-started along this order). Default 10⁻¹ … 10⁻⁵ in decades.</summary>
    public IReadOnlyList<double> L2Grid { get; init; } = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5];

    /// <summary>Fraction of the training rows (the last ones) held out to choose λ; at least 0.1 is sound. Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>L-BFGS iteration cap per fit. Default 2000.</summary>
    public int MaxIterations { get; init; } = 2000;

    /// <summary>A fit has converged when every partial derivative of its objective is at most this. Default 1e-5.</summary>
    public double GradientTolerance { get; init; } = 1e-5;

    /// <summary>Worker threads (the result does not depend on it, so it is not serialised with the settings). Default 1.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Stop walking down the λ grid after this many λs in a row score below the best validation accuracy so far
    /// (weaker penalties only overfit more); 0 = try every λ. Default 2.
    /// </summary>
    public int Patience { get; init; } = 2;

    /// <summary>The optimiser settings these options imply.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public LogisticFitOptions FitOptions => new() { MaxIterations = MaxIterations, GradientTolerance = GradientTolerance, Threads = Threads };
}

/// <summary>One λ of a probe's validation path.</summary>
/// <param name="L2">λ.</param>
/// <param name="ValidationAccuracy">Accuracy on the held-out rows.</param>
/// <param name="ValidationLogLoss">Mean −ln p(label) on the held-out rows.</param>
/// <param name="Iterations">L-BFGS iterations of the fit.</param>
/// <param name="Converged">Whether the fit reached the gradient tolerance.</param>
/// <param name="Gradient">max |∂J/∂θ| where the fit stopped.</param>
public sealed record LambdaTrial(double L2, double ValidationAccuracy, double ValidationLogLoss, int Iterations, bool Converged, double Gradient);

/// <summary>The outcome of one linear probe.</summary>
/// <param name="TestAccuracy">Accuracy on the test rows of the model refitted on all training rows with the chosen λ.</param>
/// <param name="ValidationAccuracy">Accuracy of the chosen λ on the held-out validation rows.</param>
/// <param name="ValidationLogLoss">Log-loss of the chosen λ on the validation rows (breaks accuracy ties).</param>
/// <param name="L2">The chosen λ.</param>
/// <param name="Path">Every λ tried, in order.</param>
/// <param name="RefitIterations">L-BFGS iterations of the final refit on all training rows.</param>
/// <param name="RefitConverged">Whether the refit reached the gradient tolerance.</param>
/// <param name="RefitGradient">max |∂J/∂θ| where the refit stopped.</param>
/// <param name="TestCorrect">Per test row: classified correctly (for bootstrap intervals).</param>
/// <param name="Model">The final model.</param>
public sealed record ProbeResult(double TestAccuracy, double ValidationAccuracy, double ValidationLogLoss, double L2, IReadOnlyList<LambdaTrial> Path,
    int RefitIterations, bool RefitConverged, double RefitGradient, bool[] TestCorrect, LogisticRegression Model)
{
    /// <summary>The largest max |∂J/∂θ| at which any fit (path or refit) stopped.</summary>
    public double MaxGradient => Math.Max(RefitGradient, Path.Max(p => p.Gradient));

    /// <summary>L-BFGS iterations of all fits (path and refit).</summary>
    public int Iterations => Path.Sum(p => p.Iterations) + RefitIterations;

    /// <summary>True when every fit reached the gradient tolerance.</summary>
    public bool Converged => RefitConverged && Path.All(p => p.Converged);
}

/// <summary>
/// A linear probe, as in iGPT (Chen et al. 2020, §3.3): a multinomial logistic regression on frozen features.
/// The last <see cref="ProbeOptions.ValidationFraction"/> of the training rows are held out; features are
/// standardised with the mean and standard deviation of the remaining (fit) rows; λ is chosen from
/// <see cref="ProbeOptions.L2Grid"/> by validation accuracy (ties: lower validation log-loss), each fit run
/// to the gradient tolerance; then the model is refitted on all training rows with that λ (warm-started)
/// and scored on the test rows.
/// </summary>
public static class LinearProbe
{
    /// <summary>
    /// An order of <paramref name="n"/> training rows that puts an evenly spaced sample of ⌈n·<paramref name="fraction"/>⌉
    /// rows last (rows ⌊(j + ½)·n/m⌋, j = 0..m−1, in order), so that <see cref="Run(FeatureMatrix, ReadOnlySpan{byte}, FeatureMatrix, ReadOnlySpan{byte}, int, ProbeOptions?)"/>,
    /// which holds out the last rows, validates on a sample spread over the whole set rather than on its tail.
    /// </summary>
    public static int[] HoldOutOrder(int n, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (fraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), "the validation fraction must be in (0, 1).");
        }
        int m = (int)Math.Ceiling(n * fraction);
        var held = new bool[n];
        for (int j = 0; j < m; j++)
        {
            held[(int)((j + 0.5) * n / m)] = true;
        }
        return Enumerable.Range(0, n).Where(i => !held[i]).Concat(Enumerable.Range(0, n).Where(i => held[i])).ToArray();
    }

    /// <summary>Runs the probe. <paramref name="trainX"/> is [N, <paramref name="features"/>], <paramref name="testX"/> [M, features].</summary>
    /// <exception cref="ArgumentException">Shapes do not match or there are too few training rows to split.</exception>
    public static ProbeResult Run(ReadOnlySpan<float> trainX, ReadOnlySpan<byte> trainY, ReadOnlySpan<float> testX, ReadOnlySpan<byte> testY,
        int features, int classes, ProbeOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (trainX.Length != (long)trainY.Length * features || testX.Length != (long)testY.Length * features)
        {
            throw new ArgumentException("feature and label counts do not match.", nameof(trainX));
        }
        using var train = FeatureMatrix.FromArray(trainX.ToArray(), features);
        using var test = FeatureMatrix.FromArray(testX.ToArray(), features);
        return Run(train, trainY, test, testY, classes, options);
    }

    /// <summary>Runs the probe on feature matrices (rows = labels).</summary>
    /// <exception cref="ArgumentException">Shapes do not match or there are too few training rows to split.</exception>
    public static ProbeResult Run(FeatureMatrix train, ReadOnlySpan<byte> trainY, FeatureMatrix test, ReadOnlySpan<byte> testY, int classes, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new ProbeOptions();
        if (options.L2Grid.Count == 0)
        {
            throw new ArgumentException("the λ grid is empty.", nameof(options));
        }
        if (options.ValidationFraction is <= 0 or >= 1)
        {
            throw new ArgumentException("the validation fraction must be in (0, 1).", nameof(options));
        }
        int n = trainY.Length;
        if (train.Rows != n || test.Rows != testY.Length || train.Columns != test.Columns)
        {
            throw new ArgumentException("feature and label counts do not match.", nameof(train));
        }
        int nVal = (int)Math.Ceiling(n * options.ValidationFraction);
        int nFit = n - nVal;
        if (nVal < 1 || nFit < 2)
        {
            throw new ArgumentException($"{n} training rows are too few to hold out a validation split.", nameof(trainY));
        }
        var st = Standardization.Fit(train, nFit);
        var fitY = trainY[..nFit];
        var valY = trainY[nFit..];
        var fit = options.FitOptions;

        var path = new List<LambdaTrial>();
        LambdaTrial? best = null;
        LogisticRegression? previous = null, bestModel = null;
        int worse = 0;
        foreach (double l2 in options.L2Grid)
        {
            var m = LogisticRegression.Fit(train, nFit, fitY, classes, l2, st, fit, previous);
            var score = m.Score(train, nFit, valY);
            var trial = new LambdaTrial(l2, score.Accuracy, score.LogLoss, m.Iterations, m.Converged, m.GradientNorm);
            path.Add(trial);
            if (best is null || trial.ValidationAccuracy > best.ValidationAccuracy
                || (trial.ValidationAccuracy == best.ValidationAccuracy && trial.ValidationLogLoss < best.ValidationLogLoss))
            {
                best = trial;
                bestModel = m;
                worse = 0;
            }
            else if (trial.ValidationAccuracy < best.ValidationAccuracy && options.Patience > 0 && ++worse >= options.Patience)
            {
                break;
            }
            previous = m;
        }
        var final = LogisticRegression.Fit(train, n, trainY, classes, best!.L2, st, fit, bestModel);
        var test1 = final.Score(test, 0, testY);
        return new ProbeResult(test1.Accuracy, best.ValidationAccuracy, best.ValidationLogLoss, best.L2, path, final.Iterations, final.Converged, final.GradientNorm, test1.Correct, final);
    }
}
