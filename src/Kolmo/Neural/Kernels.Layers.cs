using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kolmo.Neural;

// Layer kernels, llm.c style: forward and backward side by side; arguments go outputs, inputs, weights,
// sizes; gradients are d-prefixed and accumulated with +=. Shapes: B batch, T time, C channels,
// NH heads, hs = C/NH head size, V vocabulary, N = B·T rows. Weights are stored [in, out] ("C, OC") so
// that out = inp · W runs the matmul kernel with its vector axis along the outputs.
// Backward passes come in two parts where a model threads them differently: the input gradient (rows are
// independent: split by batch) and the parameter gradient (a sum over rows in a fixed order: split by parameter).
// Elementwise code performs the scalar expression's operations in the same order in every SIMD path.
internal static unsafe partial class Kernels
{
    [ThreadStatic]
    private static float[]? _rowScratch;

    private static float* RowScratch(int floats)
    {
        if (_rowScratch is null || _rowScratch.Length < floats)
        {
            _rowScratch = GC.AllocateArray<float>(floats, pinned: true);
        }
        return Pin.Ptr(_rowScratch);
    }

    // ---------------------------------------------------------------------------------------------------
    // encoder: out[B,T,C] = wte[inp[b,t], :] + wpe[t, :]   (wpe may be null: plain embedding)
    // ---------------------------------------------------------------------------------------------------
    public static void EncoderForward(float* out_, int* inp, float* wte, float* wpe, int B, int T, int C)
    {
        for (int b = 0; b < B; b++)
        {
            for (int t = 0; t < T; t++)
            {
                float* o = out_ + ((long)b * T + t) * C;
                float* we = wte + (long)inp[b * T + t] * C;
                if (wpe == null)
                {
                    new ReadOnlySpan<float>(we, C).CopyTo(new Span<float>(o, C));
                }
                else
                {
                    Add(o, we, wpe + (long)t * C, C);
                }
            }
        }
    }

    /// <summary>dwte[:, c0..c1) += dout rows scattered by token, sequential over (b, t): rows shared by repeated tokens
    /// are accumulated in a fixed order.</summary>
    public static void EncoderBackwardTokens(float* dwte, float* dout, int* inp, int N, int C, int c0, int c1)
    {
        for (int n = 0; n < N; n++)
        {
            AddTo(dwte + (long)inp[n] * C + c0, dout + (long)n * C + c0, c1 - c0);
        }
    }

    /// <summary>dwpe[t] += Σ_b dout[b, t], b ascending.</summary>
    public static void EncoderBackwardPositions(float* dwpe, float* dout, int B, int T, int C)
    {
        for (int b = 0; b < B; b++)
        {
            for (int t = 0; t < T; t++)
            {
                AddTo(dwpe + (long)t * C, dout + ((long)b * T + t) * C, C);
            }
        }
    }

    // Sequential over (b,t): rows of dwte shared by repeated tokens are accumulated in a fixed order.
    public static void EncoderBackward(float* dwte, float* dwpe, float* dout, int* inp, int B, int T, int C)
    {
        EncoderBackwardTokens(dwte, dout, inp, B * T, C, 0, C);
        if (dwpe != null)
        {
            EncoderBackwardPositions(dwpe, dout, B, T, C);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // layernorm: out[N,C] = (inp - mean) * rstd * w + b;  saves mean[N], rstd[N]
    // ---------------------------------------------------------------------------------------------------
    public static void LayerNormForward(float* out_, float* mean, float* rstd, float* inp, float* w, float* bias, int N, int C)
    {
        nint op = (nint)out_, mp = (nint)mean, rp = (nint)rstd, ip = (nint)inp, wp = (nint)w, bp = (nint)bias;
        Par.For(N, 8L * C, (r0, r1) =>
        {
            for (int n = r0; n < r1; n++)
            {
                LayerNormRow((float*)op + (long)n * C, (float*)mp + n, (float*)rp + n, (float*)ip + (long)n * C, (float*)wp, (float*)bp, C);
            }
        });
    }

    private static void LayerNormRow(float* o, float* mean, float* rstd, float* x, float* w, float* b, int C)
    {
        float m = Sum(x, C) / C;
        AddScalar(o, x, -m, C);              // centred values, reused for the variance: x[i] - m
        float v = Dot(o, o, C) / C;
        float s = 1f / MathF.Sqrt(v + 1e-5f);
        int i = 0;
        if (Width >= 256)
        {
            var sv = Vector256.Create(s);
            for (; i + 8 <= C; i += 8)
            {
                (Vector256.Load(o + i) * sv * Vector256.Load(w + i) + Vector256.Load(b + i)).Store(o + i);
            }
        }
        for (; i < C; i++)
        {
            o[i] = o[i] * s * w[i] + b[i];
        }
        *mean = m;
        *rstd = s;
    }

    /// <summary>dinp[N,C] += ∂loss/∂inp (rows independent; with <paramref name="overwrite"/>: dinp = 0 + ∂loss/∂inp, not read).</summary>
    public static void LayerNormBackwardInput(float* dinp, float* dout, float* inp, float* w, float* mean, float* rstd, int N, int C, bool overwrite = false)
    {
        nint dip = (nint)dinp, dop = (nint)dout, ip = (nint)inp, wp = (nint)w, mp = (nint)mean, rp = (nint)rstd;
        Par.For(N, 12L * C, (r0, r1) =>
        {
            float* dnorm = RowScratch(2 * C), nrm = dnorm + C;
            for (int n = r0; n < r1; n++)
            {
                float* x = (float*)ip + (long)n * C, d = (float*)dop + (long)n * C, di = (float*)dip + (long)n * C;
                float m = ((float*)mp)[n], s = ((float*)rp)[n];
                float* ww = (float*)wp;
                int i = 0;
                if (Width >= 256)
                {
                    var mv = Vector256.Create(m);
                    var sv = Vector256.Create(s);
                    for (; i + 8 <= C; i += 8)
                    {
                        ((Vector256.Load(x + i) - mv) * sv).Store(nrm + i);
                        (Vector256.Load(ww + i) * Vector256.Load(d + i)).Store(dnorm + i);
                    }
                }
                for (; i < C; i++)
                {
                    nrm[i] = (x[i] - m) * s;
                    dnorm[i] = ww[i] * d[i];
                }
                float dmean = Sum(dnorm, C) / C;
                float dnmean = Dot(dnorm, nrm, C) / C;
                i = 0;
                if (Width >= 256)
                {
                    var dm = Vector256.Create(dmean);
                    var dn = Vector256.Create(dnmean);
                    var sv = Vector256.Create(s);
                    for (; i + 8 <= C; i += 8)
                    {
                        ((overwrite ? Vector256<float>.Zero : Vector256.Load(di + i)) + (Vector256.Load(dnorm + i) - dm - Vector256.Load(nrm + i) * dn) * sv).Store(di + i);
                    }
                }
                for (; i < C; i++)
                {
                    di[i] = (overwrite ? 0f : di[i]) + (dnorm[i] - dmean - nrm[i] * dnmean) * s;
                }
            }
        });
    }

    /// <summary>dw[C], db[C] += Σ_n over rows in order (a reduction: never split over rows).</summary>
    public static void LayerNormBackwardParams(float* dw, float* db, float* dout, float* inp, float* mean, float* rstd, int N, int C)
    {
        for (int n = 0; n < N; n++)
        {
            float* x = inp + (long)n * C, d = dout + (long)n * C;
            float m = mean[n], s = rstd[n];
            int i = 0;
            if (Width >= 256)
            {
                var mv = Vector256.Create(m);
                var sv = Vector256.Create(s);
                for (; i + 8 <= C; i += 8)
                {
                    var dv = Vector256.Load(d + i);
                    var nv = (Vector256.Load(x + i) - mv) * sv;
                    (Vector256.Load(db + i) + dv).Store(db + i);
                    (Vector256.Load(dw + i) + nv * dv).Store(dw + i);
                }
            }
            for (; i < C; i++)
            {
                float nrm = (x[i] - m) * s;
                db[i] += d[i];
                dw[i] += nrm * d[i];
            }
        }
    }

    public static void LayerNormBackward(float* dinp, float* dw, float* db, float* dout, float* inp, float* w, float* mean, float* rstd, int N, int C)
    {
        LayerNormBackwardInput(dinp, dout, inp, w, mean, rstd, N, C);
        LayerNormBackwardParams(dw, db, dout, inp, mean, rstd, N, C);
    }

    // ---------------------------------------------------------------------------------------------------
    // linear: out[N,OC] = inp[N,C] · W[C,OC] + bias[OC]   (bias may be null)
    // ---------------------------------------------------------------------------------------------------
    public static void LinearForward(float* out_, float* inp, float* weight, float* bias, int N, int C, int OC)
    {
        if (bias == null)
        {
            Gemm(false, false, out_, OC, inp, C, weight, OC, N, C, OC, Tri.None, CMode.Overwrite);
            return;
        }
        for (int n = 0; n < N; n++)
        {
            new ReadOnlySpan<float>(bias, OC).CopyTo(new Span<float>(out_ + (long)n * OC, OC));
        }
        MatMulAdd(out_, inp, weight, N, C, OC);
    }

    /// <summary>dinp[N,C] += dout[N,OC] · W[C,OC]ᵀ (with <paramref name="overwrite"/>: =, every chain starting at +0).</summary>
    public static void LinearBackwardInput(float* dinp, float* dout, float* weight, int N, int C, int OC, bool overwrite = false)
        => Gemm(false, true, dinp, C, dout, OC, weight, OC, N, OC, C, Tri.None, overwrite ? CMode.Overwrite : CMode.Accumulate);

    /// <summary>
    /// dW[c0..c1, OC] += inp[N, c0..c1]ᵀ · dout[N,OC] (rows of dW in [c0, c1): a parameter task may take a part) and,
    /// when <paramref name="dbias"/> is given, dbias[OC] += Σ_n dout[n] in row order.
    /// </summary>
    public static void LinearBackwardParams(float* dweight, float* dbias, float* dout, float* inp, int N, int C, int OC, int c0, int c1)
    {
        MatMulAtAdd(dweight + (long)c0 * OC, OC, inp + c0, C, dout, OC, c1 - c0, N, OC);
        if (dbias != null)
        {
            for (int n = 0; n < N; n++)
            {
                AddTo(dbias, dout + (long)n * OC, OC);
            }
        }
    }

    public static void LinearBackward(float* dinp, float* dweight, float* dbias, float* dout, float* inp, float* weight, int N, int C, int OC)
    {
        if (dinp != null)
        {
            LinearBackwardInput(dinp, dout, weight, N, C, OC);
        }
        LinearBackwardParams(dweight, dbias, dout, inp, N, C, OC, 0, C);
    }

    // ---------------------------------------------------------------------------------------------------
    // GELU (tanh approximation): out[n] = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
    // ---------------------------------------------------------------------------------------------------
    private const float GeluScale = 0.7978845608028654f;

    public static void GeluForward(float* out_, float* inp, int n)
    {
        nint op = (nint)out_, ip = (nint)inp;
        Par.For(n, 40, (a, b) => GeluForwardRange((float*)op, (float*)ip, a, b));
    }

    /// <summary>dinp += gelu'(inp)·dout (with <paramref name="overwrite"/>: dinp = 0 + gelu'(inp)·dout, not read).</summary>
    public static void GeluBackward(float* dinp, float* inp, float* dout, int n, bool overwrite = false)
    {
        nint dp = (nint)dinp, ip = (nint)inp, op = (nint)dout;
        Par.For(n, 50, (a, b) => GeluBackwardRange((float*)dp, (float*)ip, (float*)op, a, b, overwrite));
    }

    // ---------------------------------------------------------------------------------------------------
    // residual: out = a + b;   backward: da += dout, db += dout
    // ---------------------------------------------------------------------------------------------------
    public static void ResidualForward(float* out_, float* a, float* b, int n) => Add(out_, a, b, n);

    /// <summary>da += dout, db += dout (with <paramref name="overwrite"/>: both set to dout, not read).</summary>
    public static void ResidualBackward(float* da, float* db, float* dout, int n, bool overwrite = false)
    {
        if (overwrite)
        {
            var src = new ReadOnlySpan<float>(dout, n);
            src.CopyTo(new Span<float>(da, n));
            src.CopyTo(new Span<float>(db, n));
            return;
        }
        AddTo(da, dout, n);
        AddTo(db, dout, n);
    }

    /// <summary>o[i] = a[i] + b[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* o, float* a, float* b, int n)
    {
        int i = 0;
        int w = Width;
        if (w == 512)
        {
            for (; i + 16 <= n; i += 16)
            {
                (Vector512.Load(a + i) + Vector512.Load(b + i)).Store(o + i);
            }
        }
        if (w >= 256)
        {
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(a + i) + Vector256.Load(b + i)).Store(o + i);
            }
        }
        for (; i < n; i++)
        {
            o[i] = a[i] + b[i];
        }
    }

    /// <summary>o[i] = a[i] + s.</summary>
    private static void AddScalar(float* o, float* a, float s, int n)
    {
        int i = 0;
        if (Width >= 256)
        {
            var sv = Vector256.Create(s);
            for (; i + 8 <= n; i += 8)
            {
                (Vector256.Load(a + i) + sv).Store(o + i);
            }
        }
        for (; i < n; i++)
        {
            o[i] = a[i] + s;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // softmax + cross-entropy: probs[N,V] = softmax(logits); losses[N] = −ln probs[target] (nats)
    // computed as ln Σe^(l−max) − (l_target − max), never −∞. target < 0: no loss (0).
    // ---------------------------------------------------------------------------------------------------
    public static void SoftmaxCrossEntropyForward(float* probs, float* losses, float* logits, int* targets, int N, int V)
    {
        nint pp = (nint)probs, lp = (nint)losses, gp = (nint)logits, tp = (nint)targets;
        Par.For(N, 20L * V, (r0, r1) =>
        {
            for (int n = r0; n < r1; n++)
            {
                float* l = (float*)gp + (long)n * V;
                float* p = (float*)pp + (long)n * V;
                float sum = SoftmaxRow(p, l, V, out float max);
                if (lp != 0)
                {
                    int tgt = tp == 0 ? -1 : ((int*)tp)[n];
                    ((float*)lp)[n] = tgt < 0 ? 0f : (float)(NMath.Log(sum) - (l[tgt] - max));
                }
            }
        });
    }

    /// <summary>p = softmax(l); returns Σ e^(l−max). Shared with the incremental predictors.</summary>
    internal static float SoftmaxRow(float* p, float* l, int V, out float max)
    {
        max = Max(l, V);
        float sum = ExpShiftedSum(p, l, max, V);
        Scale(p, 1f / sum, V);
        return sum;
    }

    /// <summary>dlogits[n,i] += (probs[n,i] − [i = target]) · dlosses[n] (with <paramref name="overwrite"/>: dlogits = 0 + …, not read).</summary>
    public static void SoftmaxCrossEntropyBackward(float* dlogits, float* dlosses, float* probs, int* targets, int N, int V, bool overwrite = false)
    {
        nint dp = (nint)dlogits, lp = (nint)dlosses, pp = (nint)probs, tp = (nint)targets;
        Par.For(N, 2L * V, (r0, r1) =>
        {
            for (int n = r0; n < r1; n++)
            {
                int tgt = ((int*)tp)[n];
                float dl = ((float*)lp)[n];
                float* d = (float*)dp + (long)n * V;
                if (tgt < 0 || dl == 0f)
                {
                    if (overwrite)
                    {
                        new Span<float>(d, V).Clear();
                    }
                    continue;
                }
                float* p = (float*)pp + (long)n * V;
                float dTarget = overwrite ? 0f : d[tgt];
                int i = 0;
                if (Width >= 256)
                {
                    var dv = Vector256.Create(dl);
                    for (; i + 8 <= V; i += 8)
                    {
                        ((overwrite ? Vector256<float>.Zero : Vector256.Load(d + i)) + Vector256.Load(p + i) * dv).Store(d + i);
                    }
                }
                for (; i < V; i++)
                {
                    d[i] = (overwrite ? 0f : d[i]) + p[i] * dl;
                }
                d[tgt] = dTarget + (p[tgt] - 1f) * dl;   // the target gets (p − 1)·dl instead of p·dl
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------
    // LSTM cell, gate blocks [i | f | g | o] each H wide
    //   inputs pre[B,4H] (x·Wx + h·Wh + b), cprev[B,H]
    //   outputs act[B,4H] (σ(i), σ(f), tanh(g), σ(o)), c[B,H] = f·cprev + i·g, tc[B,H] = tanh(c), h[B,H] = o·tc
    // (row strides: pre/act ldp, the others ldh, for batch-major activations)
    // ---------------------------------------------------------------------------------------------------
    public static void LstmCellForward(float* h, float* c, float* act, float* tc, float* pre, float* cprev, int B, int H)
        => LstmCellForward(h, c, act, tc, pre, cprev, B, H, 4 * H, H, H);

    /// <summary>As above with row strides: ldp for pre/act, ldh for h/c/tc, ldcp for cprev (batch-major activations).</summary>
    public static void LstmCellForward(float* h, float* c, float* act, float* tc, float* pre, float* cprev, int B, int H, int ldp, int ldh, int ldcp)
    {
        int w = Width;
        for (int b = 0; b < B; b++)
        {
            float* pr = pre + (long)b * ldp, ac = act + (long)b * ldp;
            float* hb = h + (long)b * ldh, cb = c + (long)b * ldh, tb = tc + (long)b * ldh, cp = cprev + (long)b * ldcp;
            int j = 0;
            if (w == 512)
            {
                for (; j + 16 <= H; j += 16)
                {
                    var ig = Sigmoid512(Vector512.Load(pr + j));
                    var fg = Sigmoid512(Vector512.Load(pr + H + j));
                    var gg = Tanh512(Vector512.Load(pr + 2 * H + j));
                    var og = Sigmoid512(Vector512.Load(pr + 3 * H + j));
                    ig.Store(ac + j); fg.Store(ac + H + j); gg.Store(ac + 2 * H + j); og.Store(ac + 3 * H + j);
                    var cv = fg * Vector512.Load(cp + j) + ig * gg;
                    var tv = Tanh512(cv);
                    cv.Store(cb + j);
                    tv.Store(tb + j);
                    (og * tv).Store(hb + j);
                }
            }
            if (w >= 256)
            {
                for (; j + 8 <= H; j += 8)
                {
                    var ig = Sigmoid256(Vector256.Load(pr + j));
                    var fg = Sigmoid256(Vector256.Load(pr + H + j));
                    var gg = Tanh256(Vector256.Load(pr + 2 * H + j));
                    var og = Sigmoid256(Vector256.Load(pr + 3 * H + j));
                    ig.Store(ac + j); fg.Store(ac + H + j); gg.Store(ac + 2 * H + j); og.Store(ac + 3 * H + j);
                    var cv = fg * Vector256.Load(cp + j) + ig * gg;
                    var tv = Tanh256(cv);
                    cv.Store(cb + j);
                    tv.Store(tb + j);
                    (og * tv).Store(hb + j);
                }
            }
            for (; j < H; j++)
            {
                float ig = NMath.Sigmoid(pr[j]);
                float fg = NMath.Sigmoid(pr[H + j]);
                float gg = NMath.Tanh(pr[2 * H + j]);
                float og = NMath.Sigmoid(pr[3 * H + j]);
                ac[j] = ig; ac[H + j] = fg; ac[2 * H + j] = gg; ac[3 * H + j] = og;
                float cv = fg * cp[j] + ig * gg;
                float tv = NMath.Tanh(cv);
                cb[j] = cv;
                tb[j] = tv;
                hb[j] = og * tv;
            }
        }
    }

    /// <summary>
    /// dpre[B,4H] = ∂/∂pre; dcprev[B,H] = ∂/∂cprev (written, not accumulated). dh, dc are the incoming gradients
    /// of h and c (dc already holds what flows back from the next step).
    /// </summary>
    public static void LstmCellBackward(float* dpre, float* dcprev, float* dh, float* dc, float* act, float* tc, float* cprev, int B, int H)
        => LstmCellBackward(dpre, dcprev, dh, dc, act, tc, cprev, B, H, 4 * H, H, H);

    /// <summary>As above with row strides: ldp for dpre/act, ldh for tc, ldcp for cprev; dh, dc, dcprev are [B,H].</summary>
    public static void LstmCellBackward(float* dpre, float* dcprev, float* dh, float* dc, float* act, float* tc, float* cprev, int B, int H, int ldp, int ldh, int ldcp)
    {
        int w = Width;
        for (int b = 0; b < B; b++)
        {
            float* ac = act + (long)b * ldp, dp = dpre + (long)b * ldp;
            float* dhb = dh + (long)b * H, dcb = dc + (long)b * H, dcp = dcprev + (long)b * H;
            float* tb = tc + (long)b * ldh, cp = cprev + (long)b * ldcp;
            int j = 0;
            if (w >= 256)
            {
                var one = Vector256.Create(1f);
                for (; j + 8 <= H; j += 8)
                {
                    var ig = Vector256.Load(ac + j);
                    var fg = Vector256.Load(ac + H + j);
                    var gg = Vector256.Load(ac + 2 * H + j);
                    var og = Vector256.Load(ac + 3 * H + j);
                    var t = Vector256.Load(tb + j);
                    var dhv = Vector256.Load(dhb + j);
                    var dct = Vector256.Load(dcb + j) + dhv * og * (one - t * t);
                    var dog = dhv * t;
                    (dct * gg * ig * (one - ig)).Store(dp + j);
                    (dct * Vector256.Load(cp + j) * fg * (one - fg)).Store(dp + H + j);
                    (dct * ig * (one - gg * gg)).Store(dp + 2 * H + j);
                    (dog * og * (one - og)).Store(dp + 3 * H + j);
                    (dct * fg).Store(dcp + j);
                }
            }
            for (; j < H; j++)
            {
                float ig = ac[j], fg = ac[H + j], gg = ac[2 * H + j], og = ac[3 * H + j];
                float t = tb[j];
                float dct = dcb[j] + dhb[j] * og * (1f - t * t);
                float dog = dhb[j] * t;
                dp[j] = dct * gg * ig * (1f - ig);
                dp[H + j] = dct * cp[j] * fg * (1f - fg);
                dp[2 * H + j] = dct * ig * (1f - gg * gg);
                dp[3 * H + j] = dog * og * (1f - og);
                dcp[j] = dct * fg;
            }
        }
    }
}
