using Kolmo.Neural;
using static Kolmo.Tests.Neural.NeuralTestUtil;

namespace Kolmo.Tests.Neural;

/// <summary>Finite-difference checks of every backward kernel and of whole models (central differences).</summary>
public unsafe class GradientTests
{
    /// <summary>
    /// Compares <paramref name="analytic"/> with (L(x+ε) − L(x−ε)) / 2ε on <paramref name="samples"/> entries of x
    /// (all when fewer), using the relative error ‖num − ana‖ / (‖num‖ + ‖ana‖) over the sampled entries.
    /// </summary>
    private static void Check(string name, float[] x, float[] analytic, Func<double> loss, double eps = 1e-2, int samples = 40, double tol = 1e-2)
    {
        var rng = new Xoshiro256(99);
        int n = Math.Min(samples, x.Length);
        double diff = 0, norm = 0;
        for (int s = 0; s < n; s++)
        {
            int i = x.Length <= samples ? s : rng.Next(x.Length);
            float orig = x[i];
            x[i] = orig + (float)eps;
            double lp = loss();
            x[i] = orig - (float)eps;
            double lm = loss();
            x[i] = orig;
            double num = (lp - lm) / (2 * eps);
            diff += (num - analytic[i]) * (num - analytic[i]);
            norm += num * num + (double)analytic[i] * analytic[i];
        }
        double rel = Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-9);
        Assert.True(norm > 1e-12, $"{name}: gradient is identically zero on the sample");
        Assert.True(rel < tol, $"{name}: relative error {rel:G3}");
    }

    private static double Project(float[] y, float[] r)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (double)y[i] * r[i];
        }
        return s;
    }

    [Fact]
    public void Linear_Backward_MatchesFiniteDifferences()
    {
        const int N = 5, C = 7, OC = 9;
        float[] x = RandomFloats(N * C, 1), w = RandomFloats(C * OC, 2, 0.5f), b = RandomFloats(OC, 3), r = RandomFloats(N * OC, 4);
        float[] Fwd()
        {
            var y = new float[N * OC];
            fixed (float* yp = y, xp = x, wp = w, bp = b)
            {
                Kernels.LinearForward(yp, xp, wp, bp, N, C, OC);
            }
            return y;
        }
        float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[b.Length];
        fixed (float* dxp = dx, dwp = dw, dbp = db, rp = r, xp = x, wp = w)
        {
            Kernels.LinearBackward(dxp, dwp, dbp, rp, xp, wp, N, C, OC);
        }
        Check("dinp", x, dx, () => Project(Fwd(), r));
        Check("dweight", w, dw, () => Project(Fwd(), r));
        Check("dbias", b, db, () => Project(Fwd(), r));
    }

    [Fact]
    public void LayerNorm_Backward_MatchesFiniteDifferences()
    {
        const int N = 4, C = 19;
        float[] x = RandomFloats(N * C, 1), w = RandomFloats(C, 2), b = RandomFloats(C, 3), r = RandomFloats(N * C, 4);
        float[] mean = new float[N], rstd = new float[N];
        float[] Fwd()
        {
            var y = new float[N * C];
            fixed (float* yp = y, xp = x, wp = w, bp = b, mp = mean, sp = rstd)
            {
                Kernels.LayerNormForward(yp, mp, sp, xp, wp, bp, N, C);
            }
            return y;
        }
        Fwd();
        float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[b.Length];
        fixed (float* dxp = dx, dwp = dw, dbp = db, rp = r, xp = x, wp = w, mp = mean, sp = rstd)
        {
            Kernels.LayerNormBackward(dxp, dwp, dbp, rp, xp, wp, mp, sp, N, C);
        }
        Check("dinp", x, dx, () => Project(Fwd(), r), eps: 3e-3);
        Check("dweight", w, dw, () => Project(Fwd(), r));
        Check("dbias", b, db, () => Project(Fwd(), r));
    }

    [Fact]
    public void Gelu_Backward_MatchesFiniteDifferences()
    {
        float[] x = RandomFloats(50, 1, 2f), r = RandomFloats(50, 2);
        float[] Fwd()
        {
            var y = new float[x.Length];
            fixed (float* yp = y, xp = x)
            {
                Kernels.GeluForward(yp, xp, x.Length);
            }
            return y;
        }
        float[] dx = new float[x.Length];
        fixed (float* dxp = dx, xp = x, rp = r)
        {
            Kernels.GeluBackward(dxp, xp, rp, x.Length);
        }
        Check("gelu", x, dx, () => Project(Fwd(), r), eps: 3e-3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Attention_Backward_MatchesFiniteDifferences(bool causal)
    {
        const int B = 2, T = 5, C = 8, NH = 2;
        float[] qkv = RandomFloats(B * T * 3 * C, 1), r = RandomFloats(B * T * C, 2);
        float[] att = new float[B * NH * T * T];
        float[] Fwd()
        {
            var y = new float[B * T * C];
            fixed (float* yp = y, ap = att, qp = qkv)
            {
                Kernels.AttentionForward(yp, ap, qp, B, T, C, NH, causal);
            }
            return y;
        }
        Fwd();
        float[] dqkv = new float[qkv.Length];
        fixed (float* dp = dqkv, rp = r, qp = qkv, ap = att)
        {
            Kernels.AttentionBackward(dp, rp, qp, ap, B, T, C, NH, causal);
        }
        Check("dqkv", qkv, dqkv, () => Project(Fwd(), r), samples: 240);
    }

    [Fact]
    public void SoftmaxCrossEntropy_Backward_MatchesFiniteDifferences_AndLossIsExact()
    {
        const int N = 3, V = 13;
        float[] logits = RandomFloats(N * V, 1, 3f);
        int[] tgt = [4, 0, 12];
        float[] dl = [0.5f, 1f, 2f];
        double Loss()
        {
            var p = new float[N * V];
            var l = new float[N];
            fixed (float* pp = p, lp = l, gp = logits)
            fixed (int* tp = tgt)
            {
                Kernels.SoftmaxCrossEntropyForward(pp, lp, gp, tp, N, V);
            }
            return l[0] * 0.5 + l[1] + l[2] * 2;
        }
        var probs = new float[N * V];
        var losses = new float[N];
        fixed (float* pp = probs, lp = losses, gp = logits)
        fixed (int* tp = tgt)
        {
            Kernels.SoftmaxCrossEntropyForward(pp, lp, gp, tp, N, V);
        }
        // exact value: −ln softmax in double
        for (int n = 0; n < N; n++)
        {
            double max = logits.Skip(n * V).Take(V).Max();
            double z = logits.Skip(n * V).Take(V).Sum(v => Math.Exp(v - max));
            Assert.Equal(Math.Log(z) - (logits[n * V + tgt[n]] - max), losses[n], 5);
            Assert.Equal(losses[n] / Math.Log(2), -Math.Log2(probs[n * V + tgt[n]]), 4);
        }
        var dlogits = new float[N * V];
        fixed (float* dp = dlogits, lp = dl, pp = probs)
        fixed (int* tp = tgt)
        {
            Kernels.SoftmaxCrossEntropyBackward(dp, lp, pp, tp, N, V);
        }
        Check("dlogits", logits, dlogits, Loss, eps: 3e-3);
    }

    [Fact]
    public void LstmCell_Backward_MatchesFiniteDifferences()
    {
        const int B = 2, H = 5;
        float[] pre = RandomFloats(B * 4 * H, 1), cprev = RandomFloats(B * H, 2), rh = RandomFloats(B * H, 3), rc = RandomFloats(B * H, 4);
        float[] h = new float[B * H], c = new float[B * H], act = new float[B * 4 * H], tc = new float[B * H];
        double Loss()
        {
            fixed (float* hp = h, cp = c, ap = act, tp = tc, pp = pre, cpp = cprev)
            {
                Kernels.LstmCellForward(hp, cp, ap, tp, pp, cpp, B, H);
            }
            return Project(h, rh) + Project(c, rc);
        }
        Loss();
        float[] dpre = new float[pre.Length], dcprev = new float[cprev.Length], dc = (float[])rc.Clone();
        fixed (float* dp = dpre, dcp = dcprev, dhp = rh, dcc = dc, ap = act, tp = tc, cpp = cprev)
        {
            Kernels.LstmCellBackward(dp, dcp, dhp, dcc, ap, tp, cpp, B, H);
        }
        Check("dpre", pre, dpre, Loss, eps: 3e-3);
        Check("dcprev", cprev, dcprev, Loss, eps: 3e-3);
    }

    [Fact]
    public void Encoder_Backward_AccumulatesRepeatedTokens()
    {
        const int B = 2, T = 3, C = 4;
        int[] inp = [1, 1, 0, 2, 1, 0];
        float[] wte = RandomFloats(3 * C, 1), wpe = RandomFloats(T * C, 2), r = RandomFloats(B * T * C, 3);
        float[] Fwd()
        {
            var y = new float[B * T * C];
            fixed (float* yp = y, ep = wte, pp = wpe)
            fixed (int* ip = inp)
            {
                Kernels.EncoderForward(yp, ip, ep, pp, B, T, C);
            }
            return y;
        }
        float[] dwte = new float[wte.Length], dwpe = new float[wpe.Length];
        fixed (float* de = dwte, dp = dwpe, rp = r)
        fixed (int* ip = inp)
        {
            Kernels.EncoderBackward(de, dp, rp, ip, B, T, C);
        }
        Check("dwte", wte, dwte, () => Project(Fwd(), r));
        Check("dwpe", wpe, dwpe, () => Project(Fwd(), r));
        // token 1 appears at (0,0), (0,1), (1,1): its gradient row is the sum of those three dout rows
        for (int i = 0; i < C; i++)
        {
            Assert.Equal(r[0 * C + i] + r[1 * C + i] + r[4 * C + i], dwte[C + i], 5);
        }
    }

    private static void CheckModel(SequenceModel m, int B, int T, ulong seed)
    {
        int[] x = RandomSymbols(B * T, m.VocabSize, seed), y = RandomSymbols(B * T, m.VocabSize, seed + 1);
        float[] w = RandomFloats(B * T, seed + 2).Select(Math.Abs).ToArray();
        var ps = m.Parameters;
        ps.ZeroGrad();
        m.Forward(x, y, B, T, w);
        m.Backward();
        float[] grads = (float[])ps.Grads.Clone();
        foreach (var t in ps.Tensors)
        {
            float[] vals = ps.Value(t).ToArray();
            float[] g = grads.AsSpan((int)t.Offset, (int)t.Length).ToArray();
            // perturb through a copy, writing it back into the model before each loss evaluation
            Check(t.Name, vals, g, () =>
            {
                vals.CopyTo(ps.Value(t));
                return m.Forward(x, y, B, T, w);
            }, eps: 1e-2, samples: 30, tol: 3e-2);
            vals.CopyTo(ps.Value(t));
        }
    }

    [Fact]
    public void WholeGpt_Gradients_MatchFiniteDifferences()
    {
        var m = new Gpt(new GptConfig(VocabSize: 7, Context: 6, Layers: 2, Dim: 8, Heads: 2), seed: 11);
        // larger weights than the default init so every path carries a measurable gradient
        var v = m.Parameters.Values;
        var r = new Xoshiro256(5);
        for (int i = 0; i < v.Length; i++)
        {
            v[i] += (float)(0.3 * r.NextNormal());
        }
        CheckModel(m, 2, 6, 21);
    }

    [Fact]
    public void WholeLstm_Gradients_MatchFiniteDifferences()
    {
        var m = new Lstm(new LstmConfig(VocabSize: 7, Context: 5, Layers: 2, Hidden: 6), seed: 11);
        // larger recurrent weights so the gradient of layer 0's Wh stands well above float rounding of the loss
        var v = m.Parameters.Values;
        var r = new Xoshiro256(6);
        for (int i = 0; i < v.Length; i++)
        {
            v[i] += (float)(0.5 * r.NextNormal());
        }
        CheckModel(m, 2, 5, 31);
    }
}
