namespace Kolmo.Learning;

/// <summary>Settings of a <see cref="LinearProbe"/>.</summary>
public sealed record ProbeOptions
{
    /// <summary>L2 strengths tried, strongest first (the path is warm-started along this order). Default 1e-1 … 1e-4.</summary>
    public IReadOnlyList<double> L2Grid { get; init; } = [1e-1, 1e-2, 1e-3, 1e-4];

    /// <summary>Fraction of the training rows (the last ones) held out to choose λ. Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>L-BFGS iteration cap per fit. Default 150.</summary>
    public int MaxIterations { get; init; } = 150;
}

/// <summary>The outcome of one linear probe.</summary>
/// <param name="TestAccuracy">Accuracy on the test rows of the model refitted on all training rows with the chosen λ.</param>
/// <param name="ValidationAccuracy">Accuracy of the chosen λ on the held-out validation rows.</param>
/// <param name="L2">The chosen λ.</param>
/// <param name="Model">The final model (on standardised features).</param>
public sealed record ProbeResult(double TestAccuracy, double ValidationAccuracy, double L2, LogisticRegression Model);

/// <summary>
/// A linear probe, as in iGPT (Chen et al. 2020, §3.3): a multinomial logistic regression on frozen features.
/// Features are standardised with the training rows' mean and standard deviation; λ is chosen on a validation
/// split (the last <see cref="ProbeOptions.ValidationFraction"/> of the training rows) from
/// <see cref="ProbeOptions.L2Grid"/>, then the model is refitted on all training rows and scored on the test rows.
/// </summary>
public static class LinearProbe
{
    /// <summary>Runs the probe. <paramref name="trainX"/> is [N, <paramref name="features"/>], <paramref name="testX"/> [M, features].</summary>
    /// <exception cref="ArgumentException">Shapes do not match or there are too few training rows to split.</exception>
    public static ProbeResult Run(ReadOnlySpan<float> trainX, ReadOnlySpan<byte> trainY, ReadOnlySpan<float> testX, ReadOnlySpan<byte> testY,
        int features, int classes, ProbeOptions? options = null)
    {
        options ??= new ProbeOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (options.L2Grid.Count == 0)
        {
            throw new ArgumentException("the λ grid is empty.", nameof(options));
        }
        int n = trainY.Length;
        if (trainX.Length != (long)n * features || testX.Length != (long)testY.Length * features)
        {
            throw new ArgumentException("feature and label counts do not match.", nameof(trainX));
        }
        int nVal = (int)(n * options.ValidationFraction);
        int nFit = n - nVal;
        if (nVal < 1 || nFit < 2)
        {
            throw new ArgumentException($"{n} training rows are too few to hold out a validation split.", nameof(trainY));
        }
        var (mean, scale) = Standardizer(trainX, n, features);
        var train = Standardize(trainX, features, mean, scale);
        var test = Standardize(testX, features, mean, scale);
        var fitX = train.AsSpan(0, nFit * features);
        var valX = train.AsSpan(nFit * features);
        var fitY = trainY[..nFit];
        var valY = trainY[nFit..];

        double bestAcc = -1, bestL2 = options.L2Grid[0];
        LogisticRegression? previous = null, bestModel = null;
        foreach (double l2 in options.L2Grid)
        {
            var m = LogisticRegression.Fit(fitX, features, fitY, classes, l2, options.MaxIterations, previous);
            double acc = m.Accuracy(valX, valY);
            if (acc > bestAcc)
            {
                bestAcc = acc;
                bestL2 = l2;
                bestModel = m;
            }
            previous = m;
        }
        var final = LogisticRegression.Fit(train, features, trainY, classes, bestL2, options.MaxIterations, bestModel);
        return new ProbeResult(final.Accuracy(test, testY), bestAcc, bestL2, final);
    }

    private static (float[] Mean, float[] Scale) Standardizer(ReadOnlySpan<float> x, int n, int d)
    {
        var mean = new double[d];
        var sq = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double v = x[i * d + j];
                mean[j] += v;
                sq[j] += v * v;
            }
        }
        var m = new float[d];
        var s = new float[d];
        for (int j = 0; j < d; j++)
        {
            double mu = mean[j] / n;
            double var = Math.Max(0, sq[j] / n - mu * mu);
            m[j] = (float)mu;
            s[j] = var > 1e-12 ? (float)(1 / Math.Sqrt(var)) : 0f;   // constant features become 0
        }
        return (m, s);
    }

    private static float[] Standardize(ReadOnlySpan<float> x, int d, float[] mean, float[] scale)
    {
        var r = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % d;
            r[i] = (x[i] - mean[j]) * scale[j];
        }
        return r;
    }
}
