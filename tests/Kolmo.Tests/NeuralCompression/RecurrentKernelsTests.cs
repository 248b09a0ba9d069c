using Kolmo.Compression.Neural;

namespace Kolmo.Tests.NeuralCompression;

/// <summary>
/// The online LSTM's kernels give identical bits for the scalar reference and every SIMD width this machine has
/// (Vector128/256/512), and agree with plain double-precision formulas.
/// </summary>
public unsafe class RecurrentKernelsTests
{
    private static readonly int[] Widths = [1, 4, 8, 16];

    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /// <summary>Runs <paramref name="kernel"/> once per width on copies of the same inputs and checks the outputs are bit-identical.</summary>
    private static void SameBitsForEveryWidth(Func<float[][], float[][]> kernel, params float[][] inputs)
    {
        float[][]? reference = null;
        foreach (int w in Widths)
        {
            LaneWidth.Forced = w;
            try
            {
                var outputs = kernel([.. inputs.Select(a => (float[])a.Clone())]);
                if (reference is null)
                {
                    reference = outputs;
                    continue;
                }
                for (int i = 0; i < outputs.Length; i++)
                {
                    Assert.True(reference[i].AsSpan().SequenceEqual(outputs[i]), $"width {w}, output {i} differs from the scalar reference");
                }
            }
            finally
            {
                LaneWidth.Forced = 0;
            }
        }
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(7, 48)]
    [InlineData(96, 288)]
    [InlineData(33, 256)]
    public void MatVec_SameBitsForEveryWidth_AndMatchesDouble(int n, int m)
    {
        float[] a = Random(m, 1), b = Random(m, 2), x = Random(n, 3), mtx = Random(n * m, 4, 0.3f);
        SameBitsForEveryWidth(i =>
        {
            var y = new float[m];
            fixed (float* py = y, pa = i[0], pb = i[1], px = i[2], pm = i[3])
            {
                RecurrentKernels.MatVec(py, pa, pb, px, n, pm, m);
            }
            return [y];
        }, a, b, x, mtx);
        var y = new float[m];
        fixed (float* py = y, pa = a, pb = b, px = x, pm = mtx)
        {
            RecurrentKernels.MatVec(py, pa, pb, px, n, pm, m);
        }
        for (int j = 0; j < m; j++)
        {
            double e = (double)a[j] + b[j];
            for (int k = 0; k < n; k++)
            {
                e += (double)x[k] * mtx[k * m + j];
            }
            Assert.True(Math.Abs(e - y[j]) <= 1e-5 * (1 + Math.Abs(e)), $"{e} vs {y[j]}");
        }
    }

    [Theory]
    [InlineData(1, 16, 1)]
    [InlineData(5, 48, 3)]
    [InlineData(96, 288, 10)]
    [InlineData(200, 256, 1)]
    public void DotRows_SameBitsForEveryWidth_AndMatchesDouble(int rows, int m, int n)
    {
        float[] mtx = Random(rows * m, 5, 0.3f), x = Random(n * (m + 16), 6);
        SameBitsForEveryWidth(i =>
        {
            var y = new float[n * rows];
            fixed (float* py = y, pm = i[0], px = i[1])
            {
                RecurrentKernels.DotRows(py, rows, pm, rows, m, px, m + 16, n);
            }
            return [y];
        }, mtx, x);
        var r = new float[n * rows];
        fixed (float* py = r, pm = mtx, px = x)
        {
            RecurrentKernels.DotRows(py, rows, pm, rows, m, px, m + 16, n);
        }
        for (int t = 0; t < n; t++)
        {
            for (int k = 0; k < rows; k++)
            {
                double e = 0;
                for (int j = 0; j < m; j++)
                {
                    e += (double)mtx[k * m + j] * x[t * (m + 16) + j];
                }
                Assert.True(Math.Abs(e - r[t * rows + k]) <= 1e-5 * (1 + Math.Abs(e)), $"{e} vs {r[t * rows + k]}");
            }
        }
    }

    [Fact]
    public void CellForwardBackward_SameBitsForEveryWidth_AndMatchTheFormulas()
    {
        const int h = 48;
        float[] pre = Random(3 * h, 7, 4f), c = Random(h, 8), dh = Random(h, 9), dc = Random(h, 10);
        SameBitsForEveryWidth(i =>
        {
            float[] gates = i[0], cell = i[1], tanhC = new float[h], hidden = new float[h];
            float[] cPrev = (float[])cell.Clone(), dGates = new float[3 * h], dcIo = i[3];
            fixed (float* pg = gates, pc = cell, pt = tanhC, ph = hidden, pcp = cPrev, pdg = dGates, pdc = dcIo, pdh = i[2])
            {
                RecurrentKernels.CellForward(pg, pc, pt, ph, h);
                RecurrentKernels.CellBackward(pdg, pdc, pdh, pg, pcp, pt, h, 2f);
            }
            return [gates, cell, tanhC, hidden, dGates, dcIo];
        }, pre, c, dh, dc);

        var g = (float[])pre.Clone();
        var cc = (float[])c.Clone();
        var tc = new float[h];
        var hh = new float[h];
        fixed (float* pg = g, pc = cc, pt = tc, ph = hh)
        {
            RecurrentKernels.CellForward(pg, pc, pt, ph, h);
        }
        for (int j = 0; j < h; j++)
        {
            double f = 1 / (1 + Math.Exp(-pre[j])), z = Math.Tanh(pre[h + j]), o = 1 / (1 + Math.Exp(-pre[2 * h + j]));
            double cn = f * c[j] + (1 - f) * z;
            Assert.Equal(f, g[j], 5);
            Assert.Equal(z, g[h + j], 5);
            Assert.Equal(cn, cc[j], 5);
            Assert.Equal(o * Math.Tanh(cn), hh[j], 5);
        }
    }

    [Fact]
    public void SoftmaxClipAdam_SameBitsForEveryWidth()
    {
        float[] logits = Random(256, 11, 20f);
        SameBitsForEveryWidth(i =>
        {
            var p = new float[256];
            fixed (float* pp = p, pl = i[0])
            {
                RecurrentKernels.Softmax(pp, pl, 256);
                RecurrentKernels.Clip(pl, 256, 3f);
            }
            return [p, i[0]];
        }, logits);
        var q = new float[256];
        fixed (float* pq = q, pl = logits)
        {
            RecurrentKernels.Softmax(pq, pl, 256);
        }
        double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
        for (int i = 0; i < 256; i++)
        {
            Assert.Equal(Math.Exp(logits[i] - max) / sum, q[i], 5);
        }

        // Adam with the gradient Σ_t a_t[k]·d_t[j] formed inside the kernel
        const int rows = 5, cols = 32, n = 3;
        float[] w = Random(rows * cols, 12), m = Random(rows * cols, 13, 0.01f), v = Random(rows * cols, 14, 0.01f);
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = Math.Abs(v[i]);
        }
        float[] a = Random(n * rows, 15), d = Random(n * cols, 16);
        a[rows + 2] = 0f;   // a skipped term
        foreach (float beta1 in new[] { 0.9f, 0f })
        {
            var step = new AdamStep(beta1, 0.999f, 0.01f, 1.2f, 1e-8f);
            SameBitsForEveryWidth(i =>
            {
                fixed (float* pw = i[0], pm = i[1], pv = i[2], pa = i[3], pd = i[4])
                {
                    RecurrentKernels.AdamOuter(pw, beta1 == 0 ? null : pm, pv, rows, cols, pa, rows, pd, cols, n, null, 0, step);
                }
                return [i[0], i[1], i[2]];
            }, w, m, v, a, d);
        }
        // the update itself, against the formula (β1 = 0.9)
        var w2 = (float[])w.Clone();
        var m2 = (float[])m.Clone();
        var v2 = (float[])v.Clone();
        fixed (float* pw = w2, pm = m2, pv = v2, pa = a, pd = d)
        {
            RecurrentKernels.AdamOuter(pw, pm, pv, rows, cols, pa, rows, pd, cols, n, null, 0, new AdamStep(0.9f, 0.999f, 0.01f, 1.2f, 1e-8f));
        }
        for (int k = 0; k < rows; k++)
        {
            for (int j = 0; j < cols; j++)
            {
                double g = 0;
                for (int t = 0; t < n; t++)
                {
                    g += (double)a[t * rows + k] * d[t * cols + j];
                }
                double mm = 0.9 * m[k * cols + j] + 0.1 * g, vv = 0.999 * v[k * cols + j] + 0.001 * g * g;
                Assert.Equal(w[k * cols + j] - 0.01 * mm / (Math.Sqrt(vv) * 1.2 + 1e-8), w2[k * cols + j], 4);
            }
        }
    }
}
