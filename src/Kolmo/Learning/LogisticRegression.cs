using System.Numerics;

namespace Kolmo.Learning;

/// <summary>
/// Multinomial logistic regression (softmax classifier) with an L2 penalty on the weights (not the biases),
/// fitted full-batch with L-BFGS.
/// <para>Objective: J(W, b) = (1/N) Σ_i −log softmax(W x_i + b)[y_i] + (λ/2)·‖W‖².</para>
/// <para>Shapes: features X [N, D] row-major float; labels y [N] in 0..K−1; parameters [K, D+1] (bias last).</para>
/// Deterministic for a given machine: samples and classes are visited in a fixed order and there is no
/// randomness, so the same inputs give bit-identical weights. The inner dot products use
/// <see cref="Vector{T}"/>, so results may differ in the last bits between machines of different SIMD
/// width; a probe never feeds a decoder, so that is acceptable (and documented).
/// </summary>
public sealed class LogisticRegression
{
    private readonly float[] _weights;   // [K, D] row-major
    private readonly float[] _bias;      // [K]

    private LogisticRegression(int features, int classes, float[] weights, float[] bias, double loss, int iterations)
    {
        Features = features;
        Classes = classes;
        _weights = weights;
        _bias = bias;
        Loss = loss;
        Iterations = iterations;
    }

    /// <summary>Number of input features (D).</summary>
    public int Features { get; }

    /// <summary>Number of classes (K).</summary>
    public int Classes { get; }

    /// <summary>Weights [K, D] row-major.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Biases [K].</summary>
    public ReadOnlySpan<float> Bias => _bias;

    /// <summary>The objective J (mean cross-entropy in nats + L2 term) at the returned parameters.</summary>
    public double Loss { get; }

    /// <summary>L-BFGS iterations taken.</summary>
    public int Iterations { get; }

    /// <summary>
    /// Fits the model to <paramref name="x"/> ([N, <paramref name="features"/>]) and <paramref name="labels"/>.
    /// </summary>
    /// <param name="x">Features, row-major [N, D].</param>
    /// <param name="features">D.</param>
    /// <param name="labels">Class of each row, 0..<paramref name="classes"/>−1.</param>
    /// <param name="classes">K ≥ 2.</param>
    /// <param name="l2">λ ≥ 0.</param>
    /// <param name="maxIterations">L-BFGS iteration cap.</param>
    /// <param name="warmStart">Optional model of the same shape to start from (e.g. the previous λ of a path).</param>
    /// <exception cref="ArgumentException">Shapes do not match, or a label is out of range.</exception>
    public static LogisticRegression Fit(ReadOnlySpan<float> x, int features, ReadOnlySpan<byte> labels, int classes, double l2,
        int maxIterations = 200, LogisticRegression? warmStart = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(l2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        int n = labels.Length;
        if (n == 0 || x.Length != (long)n * features)
        {
            throw new ArgumentException($"{x.Length} feature values do not make {n} rows of {features}.", nameof(x));
        }
        foreach (byte y in labels)
        {
            if (y >= classes)
            {
                throw new ArgumentException($"label {y} is not below {classes}.", nameof(labels));
            }
        }
        if (warmStart is not null && (warmStart.Features != features || warmStart.Classes != classes))
        {
            throw new ArgumentException("warm start model has a different shape.", nameof(warmStart));
        }
        var problem = new Problem(x.ToArray(), features, labels.ToArray(), classes, l2);
        int p = classes * (features + 1);
        var theta = new double[p];
        if (warmStart is not null)
        {
            for (int i = 0; i < classes * features; i++)
            {
                theta[i] = warmStart._weights[i];
            }
            for (int k = 0; k < classes; k++)
            {
                theta[classes * features + k] = warmStart._bias[k];
            }
        }
        var (loss, iterations) = Lbfgs.Minimize(problem.Evaluate, theta, maxIterations);
        var w = new float[classes * features];
        var b = new float[classes];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)theta[i];
        }
        for (int k = 0; k < classes; k++)
        {
            b[k] = (float)theta[classes * features + k];
        }
        return new LogisticRegression(features, classes, w, b, loss, iterations);
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
            float s = _bias[k] + Dot(_weights.AsSpan(k * Features, Features), row);
            if (s > bestScore)
            {
                bestScore = s;
                best = k;
            }
        }
        return best;
    }

    /// <summary>Fraction of rows of <paramref name="x"/> whose predicted class equals the label.</summary>
    public double Accuracy(ReadOnlySpan<float> x, ReadOnlySpan<byte> labels)
    {
        int n = labels.Length;
        if (x.Length != (long)n * Features)
        {
            throw new ArgumentException($"{x.Length} feature values do not make {n} rows of {Features}.", nameof(x));
        }
        if (n == 0)
        {
            return 0;
        }
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            if (Predict(x.Slice(i * Features, Features)) == labels[i])
            {
                correct++;
            }
        }
        return (double)correct / n;
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

    /// <summary>y += alpha·x.</summary>
    internal static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length, i = 0;
        int w = Vector<float>.Count;
        var va = new Vector<float>(alpha);
        for (; i <= n - w; i += w)
        {
            (new Vector<float>(y.Slice(i, w)) + va * new Vector<float>(x.Slice(i, w))).CopyTo(y.Slice(i, w));
        }
        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>The objective and its gradient for fixed data (forward and backward side by side).</summary>
    private sealed class Problem(float[] x, int d, byte[] y, int k, double l2)
    {
        private readonly float[] _w = new float[k * d];
        private readonly float[] _gw = new float[k * d];
        private readonly float[] _logits = new float[k];

        public double Evaluate(double[] theta, double[] grad)
        {
            int n = y.Length;
            for (int i = 0; i < k * d; i++)
            {
                _w[i] = (float)theta[i];
            }
            Array.Clear(_gw);
            var gb = new double[k];
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                var row = x.AsSpan(i * d, d);
                // forward: logits[k] = W_k · x_i + b_k, softmax, −log p[y_i]
                float max = float.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    _logits[c] = Dot(_w.AsSpan(c * d, d), row) + (float)theta[k * d + c];
                    max = Math.Max(max, _logits[c]);
                }
                double z = 0;
                for (int c = 0; c < k; c++)
                {
                    z += Math.Exp(_logits[c] - max);
                }
                loss += Math.Log(z) - (_logits[y[i]] - max);
                // backward: dlogits = p − onehot(y_i); dW_k += dlogits_k · x_i; db_k += dlogits_k
                for (int c = 0; c < k; c++)
                {
                    double g = Math.Exp(_logits[c] - max) / z - (c == y[i] ? 1 : 0);
                    gb[c] += g;
                    Axpy((float)g, row, _gw.AsSpan(c * d, d));
                }
            }
            double invN = 1.0 / n;
            double reg = 0;
            for (int i = 0; i < k * d; i++)
            {
                reg += theta[i] * theta[i];
                grad[i] = _gw[i] * invN + l2 * theta[i];
            }
            for (int c = 0; c < k; c++)
            {
                grad[k * d + c] = gb[c] * invN;
            }
            return loss * invN + 0.5 * l2 * reg;
        }
    }
}

/// <summary>
/// Limited-memory BFGS (Nocedal 1980; Nocedal &amp; Wright, Numerical Optimization, Alg. 7.4/7.5) with the two-loop
/// recursion, memory 10, and a backtracking Armijo line search. Stops when the gradient norm or the relative
/// decrease become tiny, the line search fails, or the iteration cap is reached.
/// </summary>
internal static class Lbfgs
{
    public static (double Loss, int Iterations) Minimize(Func<double[], double[], double> f, double[] x, int maxIterations, int memory = 10)
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
        for (; it < maxIterations; it++)
        {
            double gnorm = Math.Sqrt(DotD(g, g));
            if (gnorm < 1e-6)
            {
                break;
            }
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
            if (slope >= 0)
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
            for (int ls = 0; ls < 30; ls++)
            {
                for (int i = 0; i < p; i++)
                {
                    xNew[i] = x[i] + step * d[i];
                }
                fNew = f(xNew, gNew);
                if (fNew <= fx + 1e-4 * step * slope)
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
            var sk = new double[p];
            var yk = new double[p];
            for (int i = 0; i < p; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = DotD(sk, yk);
            if (sy > 1e-12)
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
            double previous = fx;
            fx = fNew;
            if (previous - fx <= 1e-9 * Math.Max(1, Math.Abs(fx)))
            {
                it++;
                break;
            }
        }
        return (fx, it);
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
