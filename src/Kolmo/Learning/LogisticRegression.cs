using System.Numerics;

namespace Kolmo.Learning;

/// <summary>
/// Per-feature standardisation x̂_j = (x_j − μ_j)·s_j with s_j = 1/σ_j (0 for a constant feature), fitted on the
/// rows a probe trains on. <see cref="LogisticRegression"/> applies it on the fly, so the features are never
/// copied: W·x̂ + b = (W⊙s)·(x − μ) + b (centring inside the product keeps the float precision that folding μ into
/// the bias would lose when |μ| ≫ σ).
/// </summary>
/// <param name="Mean">μ [D].</param>
/// <param name="Scale">s [D].</param>
public sealed record Standardization(float[] Mean, float[] Scale)
{
    /// <summary>μ and 1/σ of every column over the first <paramref name="rows"/> rows of <paramref name="x"/> (double sums).</summary>
    public static Standardization Fit(FeatureMatrix x, int rows)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, x.Rows);
        int d = x.Columns;
        var sum = new double[d];
        var sq = new double[d];
        for (int i = 0; i < rows; i++)
        {
            var r = x.Row(i);
            for (int j = 0; j < d; j++)
            {
                double v = r[j];
                sum[j] += v;
                sq[j] += v * v;
            }
        }
        var mean = new float[d];
        var scale = new float[d];
        for (int j = 0; j < d; j++)
        {
            double mu = sum[j] / rows;
            double var = Math.Max(0, sq[j] / rows - mu * mu);
            mean[j] = (float)mu;
            scale[j] = var > 1e-12 * Math.Max(1, mu * mu) ? (float)(1 / Math.Sqrt(var)) : 0f;
        }
        return new Standardization(mean, scale);
    }

    /// <summary>The identity (μ = 0, s = 1) for <paramref name="features"/> columns.</summary>
    public static Standardization Identity(int features)
    {
        var scale = new float[features];
        Array.Fill(scale, 1f);
        return new Standardization(new float[features], scale);
    }
}

/// <summary>Optimiser settings of <see cref="LogisticRegression.Fit(FeatureMatrix, int, ReadOnlySpan{byte}, int, double, Standardization?, LogisticFitOptions?, LogisticRegression?)"/>.</summary>
public sealed record LogisticFitOptions
{
    /// <summary>L-BFGS iteration cap. Default 2000.</summary>
    public int MaxIterations { get; init; } = 2000;

    /// <summary>Converged when every partial derivative of J is at most this in absolute value. Default 1e-5.</summary>
    public double GradientTolerance { get; init; } = 1e-5;

    /// <summary>Worker threads for the objective (the result does not depend on it). Default 1.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>What a prediction pass over labelled rows measured.</summary>
/// <param name="Accuracy">Fraction of rows whose most probable class is the label.</param>
/// <param name="LogLoss">Mean −ln p(label) in nats.</param>
/// <param name="Correct">Per row: was it classified correctly.</param>
public sealed record ClassifierScore(double Accuracy, double LogLoss, bool[] Correct);

/// <summary>
/// Multinomial logistic regression (softmax classifier) with an L2 penalty on the weights (not the biases),
/// fitted full-batch with L-BFGS, on features standardised by a <see cref="Standardization"/> folded into the weights.
/// <para>Objective: J(W, b) = (1/N) Σ_i −log softmax(W x̂_i + b)[y_i] + (λ/2)·‖W‖².</para>
/// <para>Shapes: features X [N, D] row-major (<see cref="FeatureMatrix"/>, streamed block by block); labels y [N]
/// in 0..K−1; parameters W [K, D] and b [K].</para>
/// <para>Cost per objective evaluation: 4·N·D·K flops. The rows are cut into 16 fixed shards whose gradients are
/// summed in shard order, so the result does not depend on the thread count; the inner products use
/// <see cref="Vector{T}"/>, so the last bits may differ between machines of different SIMD width (a probe never
/// feeds a decoder).</para>
/// </summary>
public sealed class LogisticRegression
{
    private const int Shards = 16;

    private readonly double[] _theta;    // standardised-space W [K, D] then b [K]
    private readonly float[] _scaled;    // W⊙s [K, D]: logits = W⊙s · (x − μ) + b
    private readonly float[] _b;         // b [K]
    private readonly float[] _weights;   // raw-space W⊙s [K, D] (public view)
    private readonly float[] _bias;      // raw-space b − (W⊙s)·μ [K] (public view)

    private LogisticRegression(int features, int classes, double[] theta, Standardization standardization, double loss, int iterations, bool converged, double gradient)
    {
        Features = features;
        Classes = classes;
        _theta = theta;
        Standardization = standardization;
        (_scaled, _b) = Scale(theta, features, classes, standardization);
        _weights = _scaled;
        _bias = new float[classes];
        for (int k = 0; k < classes; k++)
        {
            double bias = theta[classes * features + k];
            for (int j = 0; j < features; j++)
            {
                bias -= (double)_scaled[k * features + j] * standardization.Mean[j];
            }
            _bias[k] = (float)bias;
        }
        Loss = loss;
        Iterations = iterations;
        Converged = converged;
        GradientNorm = gradient;
    }

    /// <summary>Number of input features (D).</summary>
    public int Features { get; }

    /// <summary>Number of classes (K).</summary>
    public int Classes { get; }

    /// <summary>The standardisation folded into the weights.</summary>
    public Standardization Standardization { get; }

    /// <summary>Raw-feature weights [K, D] row-major (standardisation folded in).</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Raw-feature biases [K].</summary>
    public ReadOnlySpan<float> Bias => _bias;

    /// <summary>The objective J (mean cross-entropy in nats + L2 term) at the returned parameters.</summary>
    public double Loss { get; }

    /// <summary>L-BFGS iterations taken.</summary>
    public int Iterations { get; }

    /// <summary>True when the gradient tolerance was reached (false: iteration cap or a line search that could not descend).</summary>
    public bool Converged { get; }

    /// <summary>max |∂J/∂θ| at the returned parameters.</summary>
    public double GradientNorm { get; }

    /// <summary>
    /// Fits the model to <paramref name="x"/> ([N, <paramref name="features"/>]) and <paramref name="labels"/>
    /// without standardisation.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not match, or a label is out of range.</exception>
    public static LogisticRegression Fit(ReadOnlySpan<float> x, int features, ReadOnlySpan<byte> labels, int classes, double l2,
        int maxIterations = 200, LogisticRegression? warmStart = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (labels.Length == 0 || x.Length != (long)labels.Length * features)
        {
            throw new ArgumentException($"{x.Length} feature values do not make {labels.Length} rows of {features}.", nameof(x));
        }
        using var m = FeatureMatrix.FromArray(x.ToArray(), features);
        return Fit(m, labels.Length, labels, classes, l2, Standardization.Identity(features), new LogisticFitOptions { MaxIterations = maxIterations }, warmStart);
    }

    /// <summary>
    /// Fits the model to the first <paramref name="rows"/> rows of <paramref name="x"/> and their <paramref name="labels"/>.
    /// </summary>
    /// <param name="x">Features [N ≥ rows, D].</param>
    /// <param name="rows">Rows used (the first ones).</param>
    /// <param name="labels">Class of each used row, 0..<paramref name="classes"/>−1.</param>
    /// <param name="classes">K ≥ 2.</param>
    /// <param name="l2">λ ≥ 0.</param>
    /// <param name="standardization">Folded standardisation (null: fitted on these rows).</param>
    /// <param name="options">Optimiser settings.</param>
    /// <param name="warmStart">A model of the same shape and standardisation to start from (e.g. the previous λ of a path).</param>
    /// <exception cref="ArgumentException">Shapes do not match, or a label is out of range.</exception>
    public static LogisticRegression Fit(FeatureMatrix x, int rows, ReadOnlySpan<byte> labels, int classes, double l2,
        Standardization? standardization = null, LogisticFitOptions? options = null, LogisticRegression? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(l2);
        options ??= new LogisticFitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxIterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        int d = x.Columns;
        if (rows < 1 || rows > x.Rows || labels.Length != rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {rows} of {x.Rows} rows.", nameof(labels));
        }
        foreach (byte y in labels)
        {
            if (y >= classes)
            {
                throw new ArgumentException($"label {y} is not below {classes}.", nameof(labels));
            }
        }
        standardization ??= Standardization.Fit(x, rows);
        if (standardization.Mean.Length != d || standardization.Scale.Length != d)
        {
            throw new ArgumentException("the standardisation has a different number of features.", nameof(standardization));
        }
        if (warmStart is not null && (warmStart.Features != d || warmStart.Classes != classes))
        {
            throw new ArgumentException("warm start model has a different shape.", nameof(warmStart));
        }
        var theta = warmStart is not null ? (double[])warmStart._theta.Clone() : new double[classes * (d + 1)];
        var problem = new Problem(x, rows, labels.ToArray(), classes, l2, standardization, options.Threads);
        var r = Lbfgs.Minimize(problem.Evaluate, theta, options.MaxIterations, options.GradientTolerance);
        return new LogisticRegression(d, classes, theta, standardization, r.Loss, r.Iterations, r.Converged, r.Gradient);
    }

    /// <summary>The most probable class of one feature row.</summary>
    public int Predict(ReadOnlySpan<float> row)
    {
        if (row.Length != Features)
        {
            throw new ArgumentException($"row has {row.Length} features, the model {Features}.", nameof(row));
        }
        int best = 0;
        float bestScore = float.NegativeInfinity;
        for (int k = 0; k < Classes; k++)
        {
            float s = _b[k] + DotCentered(_scaled.AsSpan(k * Features, Features), row, Standardization.Mean);
            if (s > bestScore)
            {
                bestScore = s;
                best = k;
            }
        }
        return best;
    }

    /// <summary>Fraction of rows of <paramref name="x"/> ([N, D]) whose predicted class equals the label.</summary>
    public double Accuracy(ReadOnlySpan<float> x, ReadOnlySpan<byte> labels)
    {
        if (x.Length != (long)labels.Length * Features)
        {
            throw new ArgumentException($"{x.Length} feature values do not make {labels.Length} rows of {Features}.", nameof(x));
        }
        using var m = FeatureMatrix.FromArray(x.ToArray(), Features);
        return labels.Length == 0 ? 0 : Score(m, 0, labels).Accuracy;
    }

    /// <summary>Accuracy, log-loss and per-row correctness on rows [<paramref name="start"/>, start + labels) of <paramref name="x"/>.</summary>
    public ClassifierScore Score(FeatureMatrix x, int start, ReadOnlySpan<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns != Features || start < 0 || start + labels.Length > x.Rows)
        {
            throw new ArgumentException($"rows {start}..{start + labels.Length} of a {x.Rows}×{x.Columns} matrix do not fit a {Features}-feature model.", nameof(x));
        }
        var correct = new bool[labels.Length];
        var logits = new float[Classes];
        int right = 0;
        double loss = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = x.Row(start + i);
            float max = float.NegativeInfinity;
            int best = 0;
            for (int k = 0; k < Classes; k++)
            {
                logits[k] = _b[k] + DotCentered(_scaled.AsSpan(k * Features, Features), row, Standardization.Mean);
                if (logits[k] > max)
                {
                    max = logits[k];
                    best = k;
                }
            }
            double z = 0;
            for (int k = 0; k < Classes; k++)
            {
                z += Math.Exp(logits[k] - max);
            }
            loss += Math.Log(z) - (logits[labels[i]] - max);
            correct[i] = best == labels[i];
            right += correct[i] ? 1 : 0;
        }
        int n = Math.Max(1, labels.Length);
        return new ClassifierScore((double)right / n, loss / n, correct);
    }

    /// <summary>W⊙s and b as floats from θ.</summary>
    private static (float[] W, float[] B) Scale(double[] theta, int d, int k, Standardization st)
    {
        var w = new float[k * d];
        var b = new float[k];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                w[c * d + j] = (float)(theta[c * d + j] * st.Scale[j]);
            }
            b[c] = (float)theta[k * d + c];
        }
        return (w, b);
    }

    /// <summary>Σ w_i·(x_i − μ_i), vector lanes then lanes and tail in a fixed order.</summary>
    private static float DotCentered(ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> mu)
    {
        int n = w.Length, i = 0;
        var acc = Vector<float>.Zero;
        int lanes = Vector<float>.Count;
        for (; i <= n - lanes; i += lanes)
        {
            acc += new Vector<float>(w.Slice(i, lanes)) * (new Vector<float>(x.Slice(i, lanes)) - new Vector<float>(mu.Slice(i, lanes)));
        }
        float s = Vector.Sum(acc);
        for (; i < n; i++)
        {
            s += w[i] * (x[i] - mu[i]);
        }
        return s;
    }

    /// <summary>Σ a_i·b_i with <see cref="Vector{T}"/> lanes, then the lanes and the tail in a fixed order.</summary>
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, i = 0;
        var acc = Vector<float>.Zero;
        int w = Vector<float>.Count;
        for (; i <= n - w; i += w)
        {
            acc += new Vector<float>(a.Slice(i, w)) * new Vector<float>(b.Slice(i, w));
        }
        float s = Vector.Sum(acc);
        for (; i < n; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    /// <summary>
    /// The objective and its gradient over fixed data (forward and backward side by side), in the standardised
    /// parameterisation θ = (W, b): with W̃ = W⊙s, logits = W̃·(x − μ) + b on the raw rows, and
    /// ∂J/∂W = s ⊙ Σ_i g_i (x_i − μ)ᵀ / N + λW with g_i = softmax − onehot(y_i).
    /// </summary>
    private sealed class Problem
    {
        private readonly FeatureMatrix _x;
        private readonly int _n, _d, _k, _threads;
        private readonly byte[] _y;
        private readonly double _l2;
        private readonly Standardization _st;
        private readonly float[][] _gx;       // per shard: Σ g (x − μ)ᵀ [K, D]
        private readonly double[][] _gsum;    // per shard: Σ g [K]
        private readonly double[] _loss;      // per shard

        public Problem(FeatureMatrix x, int n, byte[] y, int k, double l2, Standardization st, int threads)
        {
            _x = x;
            _n = n;
            _d = x.Columns;
            _k = k;
            _y = y;
            _l2 = l2;
            _st = st;
            _threads = threads;
            _gx = new float[Shards][];
            _gsum = new double[Shards][];
            _loss = new double[Shards];
            for (int s = 0; s < Shards; s++)
            {
                _gx[s] = new float[k * _d];
                _gsum[s] = new double[k];
            }
        }

        public double Evaluate(double[] theta, double[] grad)
        {
            int d = _d, k = _k, n = _n;
            var (w, b) = Scale(theta, d, k, _st);
            if (_threads > 1)
            {
                Parallel.For(0, Shards, new ParallelOptions { MaxDegreeOfParallelism = _threads }, s => Shard(s, w, b));
            }
            else
            {
                for (int s = 0; s < Shards; s++)
                {
                    Shard(s, w, b);
                }
            }
            double loss = 0;
            var gsum = new double[k];
            for (int s = 0; s < Shards; s++)
            {
                loss += _loss[s];
                for (int c = 0; c < k; c++)
                {
                    gsum[c] += _gsum[s][c];
                }
            }
            double invN = 1.0 / n, reg = 0;
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    int i = c * d + j;
                    double gx = 0;
                    for (int s = 0; s < Shards; s++)
                    {
                        gx += _gx[s][i];
                    }
                    grad[i] = _st.Scale[j] * gx * invN + _l2 * theta[i];
                    reg += theta[i] * theta[i];
                }
                grad[k * d + c] = gsum[c] * invN;
            }
            return loss * invN + 0.5 * _l2 * reg;
        }

        /// <summary>Loss and gradient sums of shard <paramref name="s"/>, four rows at a time.</summary>
        private void Shard(int s, float[] w, float[] b)
        {
            int d = _d, k = _k;
            int start = (int)((long)_n * s / Shards), end = (int)((long)_n * (s + 1) / Shards);
            var gx = _gx[s];
            var gsum = _gsum[s];
            Array.Clear(gx);
            Array.Clear(gsum);
            double loss = 0;
            Span<float> logits = stackalloc float[4 * k];
            Span<float> g = stackalloc float[4 * k];
            for (int i = start; i < end; i += 4)
            {
                int rows = Math.Min(4, end - i);
                var block = _x.Block(i, rows);
                // forward: logits[r, c] = W̃_c · (x_r − μ) + b_c
                for (int c = 0; c < k; c++)
                {
                    Dot4(w.AsSpan(c * d, d), _st.Mean, block, rows, d, logits, c, k);
                }
                for (int r = 0; r < rows; r++)
                {
                    var l = logits.Slice(r * k, k);
                    float max = float.NegativeInfinity;
                    for (int c = 0; c < k; c++)
                    {
                        l[c] += b[c];
                        max = Math.Max(max, l[c]);
                    }
                    double z = 0;
                    for (int c = 0; c < k; c++)
                    {
                        z += Math.Exp(l[c] - max);
                    }
                    int y = _y[i + r];
                    loss += Math.Log(z) - (l[y] - max);
                    // backward: g = softmax − onehot(y)
                    for (int c = 0; c < k; c++)
                    {
                        double gc = Math.Exp(l[c] - max) / z - (c == y ? 1 : 0);
                        g[r * k + c] = (float)gc;
                        gsum[c] += gc;
                    }
                }
                for (int c = 0; c < k; c++)
                {
                    Axpy4(g, c, k, _st.Mean, block, rows, d, gx.AsSpan(c * d, d));
                }
            }
            _loss[s] = loss;
        }

        /// <summary>logits[r·k + c] = w · (x_r − μ) for the (up to 4) rows of <paramref name="block"/>.</summary>
        private static void Dot4(ReadOnlySpan<float> w, ReadOnlySpan<float> mu, ReadOnlySpan<float> block, int rows, int d, Span<float> logits, int c, int k)
        {
            if (rows < 4)
            {
                for (int r = 0; r < rows; r++)
                {
                    logits[r * k + c] = DotCentered(w, block.Slice(r * d, d), mu);
                }
                return;
            }
            int lanes = Vector<float>.Count, j = 0;
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            var x0 = block.Slice(0, d);
            var x1 = block.Slice(d, d);
            var x2 = block.Slice(2 * d, d);
            var x3 = block.Slice(3 * d, d);
            for (; j <= d - lanes; j += lanes)
            {
                var wv = new Vector<float>(w.Slice(j, lanes));
                var m = new Vector<float>(mu.Slice(j, lanes));
                a0 += wv * (new Vector<float>(x0.Slice(j, lanes)) - m);
                a1 += wv * (new Vector<float>(x1.Slice(j, lanes)) - m);
                a2 += wv * (new Vector<float>(x2.Slice(j, lanes)) - m);
                a3 += wv * (new Vector<float>(x3.Slice(j, lanes)) - m);
            }
            float s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (; j < d; j++)
            {
                s0 += w[j] * (x0[j] - mu[j]);
                s1 += w[j] * (x1[j] - mu[j]);
                s2 += w[j] * (x2[j] - mu[j]);
                s3 += w[j] * (x3[j] - mu[j]);
            }
            logits[c] = s0;
            logits[k + c] = s1;
            logits[2 * k + c] = s2;
            logits[3 * k + c] = s3;
        }

        /// <summary>y += Σ_r g[r·k + c] · (x_r − μ) over the (up to 4) rows of <paramref name="block"/>.</summary>
        private static void Axpy4(ReadOnlySpan<float> g, int c, int k, ReadOnlySpan<float> mu, ReadOnlySpan<float> block, int rows, int d, Span<float> y)
        {
            if (rows < 4)
            {
                for (int r = 0; r < rows; r++)
                {
                    var x = block.Slice(r * d, d);
                    float gr = g[r * k + c];
                    for (int j = 0; j < d; j++)
                    {
                        y[j] += gr * (x[j] - mu[j]);
                    }
                }
                return;
            }
            float g0 = g[c], g1 = g[k + c], g2 = g[2 * k + c], g3 = g[3 * k + c];
            int lanes = Vector<float>.Count, i = 0;
            var x0 = block.Slice(0, d);
            var x1 = block.Slice(d, d);
            var x2 = block.Slice(2 * d, d);
            var x3 = block.Slice(3 * d, d);
            var v0 = new Vector<float>(g0);
            var v1 = new Vector<float>(g1);
            var v2 = new Vector<float>(g2);
            var v3 = new Vector<float>(g3);
            for (; i <= d - lanes; i += lanes)
            {
                var m = new Vector<float>(mu.Slice(i, lanes));
                var acc = new Vector<float>(y.Slice(i, lanes));
                acc += v0 * (new Vector<float>(x0.Slice(i, lanes)) - m) + v1 * (new Vector<float>(x1.Slice(i, lanes)) - m)
                     + v2 * (new Vector<float>(x2.Slice(i, lanes)) - m) + v3 * (new Vector<float>(x3.Slice(i, lanes)) - m);
                acc.CopyTo(y.Slice(i, lanes));
            }
            for (; i < d; i++)
            {
                y[i] += g0 * (x0[i] - mu[i]) + g1 * (x1[i] - mu[i]) + g2 * (x2[i] - mu[i]) + g3 * (x3[i] - mu[i]);
            }
        }
    }
}

/// <summary>
/// Limited-memory BFGS (Nocedal 1980; Nocedal &amp; Wright, Numerical Optimization, Alg. 7.4/7.5) with the two-loop
/// recursion, memory 10, and a backtracking line search: Armijo's sufficient decrease, or Hager &amp; Zhang's (2005)
/// approximate Wolfe conditions where f is flat to rounding. Stops when every partial derivative is within the
/// tolerance (converged), at the iteration cap, or when the line search cannot descend any more.
/// </summary>
internal static class Lbfgs
{
    public readonly record struct Outcome(double Loss, int Iterations, bool Converged, double Gradient);

    public static Outcome Minimize(Func<double[], double[], double> f, double[] x, int maxIterations, double tolerance, int memory = 10)
    {
        int p = x.Length;
        var g = new double[p];
        double fx = f(x, g);
        var s = new List<double[]>();
        var yv = new List<double[]>();
        var rho = new List<double>();
        var d = new double[p];
        var xNew = new double[p];
        var gNew = new double[p];
        var alpha = new double[memory];
        int it = 0;
        double gmax = MaxAbs(g);
        while (gmax > tolerance && it < maxIterations)
        {
            double gnorm = Math.Sqrt(DotD(g, g));
            // two-loop recursion: d = −H g
            for (int i = 0; i < p; i++)
            {
                d[i] = -g[i];
            }
            for (int j = s.Count - 1; j >= 0; j--)
            {
                alpha[j] = rho[j] * DotD(s[j], d);
                AxpyD(-alpha[j], yv[j], d);
            }
            double gamma = s.Count > 0 ? DotD(s[^1], yv[^1]) / DotD(yv[^1], yv[^1]) : 1.0 / gnorm;
            for (int i = 0; i < p; i++)
            {
                d[i] *= gamma;
            }
            for (int j = 0; j < s.Count; j++)
            {
                double beta = rho[j] * DotD(yv[j], d);
                AxpyD(alpha[j] - beta, s[j], d);
            }
            double slope = DotD(g, d);
            if (!(slope < 0))
            {
                // not a descent direction (numerical trouble): restart from steepest descent
                s.Clear();
                yv.Clear();
                rho.Clear();
                for (int i = 0; i < p; i++)
                {
                    d[i] = -g[i] / gnorm;
                }
                slope = -gnorm;
            }
            double step = 1;
            double fNew = 0;
            bool accepted = false;
            for (int ls = 0; ls < 40; ls++)
            {
                for (int i = 0; i < p; i++)
                {
                    xNew[i] = x[i] + step * d[i];
                }
                fNew = f(xNew, gNew);
                // Armijo; or, where f is flat to rounding (near the optimum the decrease Armijo asks for is below the
                // float noise of f), Hager & Zhang's approximate Wolfe test on the directional derivative
                double slopeNew = DotD(gNew, d);
                if (fNew <= fx + 1e-4 * step * slope
                    || (fNew <= fx + 1e-6 * Math.Abs(fx) && slopeNew >= 0.9 * slope && slopeNew <= -0.8 * slope))
                {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted)
            {
                break;
            }
            it++;
            var sk = new double[p];
            var yk = new double[p];
            for (int i = 0; i < p; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = DotD(sk, yk);
            if (sy > 1e-16 * DotD(yk, yk))
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    yv.RemoveAt(0);
                    rho.RemoveAt(0);
                }
                s.Add(sk);
                yv.Add(yk);
                rho.Add(1 / sy);
            }
            Array.Copy(xNew, x, p);
            Array.Copy(gNew, g, p);
            fx = fNew;
            gmax = MaxAbs(g);
        }
        return new Outcome(fx, it, gmax <= tolerance, gmax);
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (double v in a)
        {
            m = Math.Max(m, Math.Abs(v));
        }
        return m;
    }

    private static double DotD(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void AxpyD(double alpha, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }
}
