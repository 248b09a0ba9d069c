using Kolmo.Compression.Neural;
using Kolmo.Information;
using Kolmo.Learning;
using Kolmo.Vision;

namespace Kolmo.Experiments;

/// <summary>Settings of the Occam-bound chapter.</summary>
public sealed record OccamOptions
{
    /// <summary>Block-average factor of the digit images (4: 28×28 → 7×7 = 49 features).</summary>
    public int Pooling { get; init; } = 4;

    /// <summary>Share of the images used to train the probe (the first ones); the rest is the test set.</summary>
    public double TrainFraction { get; init; } = 0.8;

    /// <summary>L2 weight λ of the logistic regression (fixed in advance: choosing it on the data would be part of the hypothesis).</summary>
    public double L2 { get; init; } = 1e-3;

    /// <summary>L-BFGS iteration cap.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>Quantisation steps tried, as powers of two: 2^e for e in this list.</summary>
    public IReadOnlyList<int> StepExponents { get; init; } = [-8, -7, -6, -5, -4, -3, -2, -1, 0, 1];

    /// <summary>δ: the bound holds with probability at least 1 − δ.</summary>
    public double Delta { get; init; } = 0.05;
}

/// <summary>The probe with its weights quantised to one step.</summary>
/// <param name="Step">Quantisation step δ_q of every weight and bias.</param>
/// <param name="Bits">b: length of the probe's description (entropy-coded quantised parameters, header included, + 2 bits for the arithmetic coder).</param>
/// <param name="Distinct">Distinct quantised values.</param>
/// <param name="TrainError">0/1 error on the m training images.</param>
/// <param name="TestError">0/1 error on the test images.</param>
/// <param name="Gap">sqrt((b ln 2 + ln(G/δ)) / 2m): the Occam term, G = steps tried.</param>
/// <param name="Bound">TrainError + Gap: with probability ≥ 1 − δ, the test error is below it.</param>
public sealed record OccamPoint(double Step, double Bits, int Distinct, double TrainError, double TestError, double Gap, double Bound);

/// <summary>The Occam/PAC bound for a trained linear probe: the shorter the probe's description, the tighter the bound.</summary>
/// <param name="Data">Description of the data.</param>
/// <param name="TrainImages">m.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="Features">Inputs of the probe.</param>
/// <param name="Classes">Classes.</param>
/// <param name="Parameters">Weights and biases.</param>
/// <param name="Delta">δ.</param>
/// <param name="FloatTrainError">Training error of the unquantised probe.</param>
/// <param name="FloatTestError">Test error of the unquantised probe.</param>
/// <param name="FloatBound">The bound with every parameter written as a 32-bit float (b = 32 × parameters).</param>
/// <param name="Points">One point per quantisation step.</param>
/// <param name="Best">The point with the lowest bound.</param>
/// <param name="Cost">Time spent.</param>
public sealed record OccamResult(string Data, int TrainImages, int TestImages, int Features, int Classes, int Parameters, double Delta,
    double FloatTrainError, double FloatTestError, double FloatBound, IReadOnlyList<OccamPoint> Points, OccamPoint Best, ChapterCost Cost);

/// <summary>
/// Chapter "the Occam bound": a linear probe (multinomial logistic regression on pooled pixels of digit images) is
/// trained, its parameters are quantised and entropy-coded (the weight code of <see cref="Mdl"/>), and the bound
/// test error ≤ train error + sqrt((b ln 2 + ln(G/δ)) / 2m) is set against the measured test error, for every step.
/// </summary>
public static class OccamChapter
{
    /// <summary>Runs the chapter on <paramref name="images"/> (labelled; the first <see cref="OccamOptions.TrainFraction"/> train).</summary>
    public static OccamResult Run(OccamOptions o, ImageSet images, string dataDescription, ChapterProgress progress)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(progress);
        if (images.Labels is null)
        {
            throw new ArgumentException("the images need labels", nameof(images));
        }
        var (result, cost) = ChapterCost.Measure(() =>
        {
            var small = images.Downsample(o.Pooling);
            int d = small.PixelsPerImage, n = small.Count, m = (int)(n * o.TrainFraction);
            if (m < 2 || n - m < 1)
            {
                throw new ArgumentException($"{n} images are too few to split", nameof(images));
            }
            var x = new float[small.Pixels.Length];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = small.Pixels[i] / 255f;
            }
            byte[] labels = small.Labels!;
            int classes = Math.Max(2, labels.Max() + 1);
            var trainX = x.AsSpan(0, m * d);
            var testX = x.AsSpan(m * d);
            var trainY = labels.AsSpan(0, m);
            var testY = labels.AsSpan(m);
            progress.Report(0.05, "training the probe");
            var probe = LogisticRegression.Fit(trainX, d, trainY, classes, o.L2, o.MaxIterations);
            int p = classes * d + classes;
            var parameters = new float[p];
            probe.Weights.CopyTo(parameters);
            probe.Bias.CopyTo(parameters.AsSpan(classes * d));
            double floatTrain = 1 - probe.Accuracy(trainX, trainY), floatTest = 1 - probe.Accuracy(testX, testY);
            double floatBound = OccamBound.TestErrorBound(floatTrain, 32.0 * p, m, o.Delta);
            double grid = o.StepExponents.Count;
            var q = new float[p];
            var points = new List<OccamPoint>();
            for (int k = 0; k < o.StepExponents.Count; k++)
            {
                double step = Math.Pow(2, o.StepExponents[k]);
                var (bits, distinct) = Mdl.WeightCodeBits(parameters, step, q);
                bits += 2;
                double trainErr = Error(q, classes, d, trainX, trainY), testErr = Error(q, classes, d, testX, testY);
                double gap = OccamBound.Gap(bits, m, o.Delta / grid);
                points.Add(new OccamPoint(step, bits, distinct, trainErr, testErr, gap, trainErr + gap));
                progress.Step(0.1, 1, k + 1, o.StepExponents.Count, $"step 2^{o.StepExponents[k]}: {bits:F0} bits");
            }
            var best = points.MinBy(pt => pt.Bound)!;
            progress.Report(1, "done");
            return new OccamResult(dataDescription, m, n - m, d, classes, p, o.Delta, floatTrain, floatTest, floatBound, points, best, new ChapterCost(0, 0));
        });
        return result with { Cost = cost };
    }

    /// <summary>0/1 error of the linear classifier with parameters [K·D weights, K biases] on rows of <paramref name="x"/>.</summary>
    private static double Error(float[] parameters, int classes, int d, ReadOnlySpan<float> x, ReadOnlySpan<byte> y)
    {
        int wrong = 0;
        for (int i = 0; i < y.Length; i++)
        {
            var row = x.Slice(i * d, d);
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                double s = parameters[classes * d + k];
                var w = parameters.AsSpan(k * d, d);
                for (int j = 0; j < d; j++)
                {
                    s += w[j] * row[j];
                }
                if (s > bestScore)
                {
                    bestScore = s;
                    best = k;
                }
            }
            wrong += best == y[i] ? 0 : 1;
        }
        return y.Length == 0 ? 0 : wrong / (double)y.Length;
    }
}
