namespace Kolmo.Neural;

// Layer kernels, llm.c style: forward and backward side by side; arguments go outputs, inputs, weights,
// sizes; gradients are d-prefixed and accumulated with +=. Shapes: B batch, T time, C channels,
// NH heads, hs = C/NH head size, V vocabulary, N = B·T rows. Weights are stored [in, out] ("C, OC") so
// that out = inp · W runs the matmul kernel with its vector axis along the outputs.
internal static unsafe partial class Kernels
{
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
                    float* wp = wpe + (long)t * C;
                    for (int i = 0; i < C; i++)
                    {
                        o[i] = we[i] + wp[i];
                    }
                }
            }
        }
    }

    // Sequential over (b,t): rows of dwte shared by repeated tokens are accumulated in a fixed order.
    public static void EncoderBackward(float* dwte, float* dwpe, float* dout, int* inp, int B, int T, int C)
    {
        for (int b = 0; b < B; b++)
        {
            for (int t = 0; t < T; t++)
            {
                float* d = dout + ((long)b * T + t) * C;
                AddTo(dwte + (long)inp[b * T + t] * C, d, C);
                if (dwpe != null)
                {
                    AddTo(dwpe + (long)t * C, d, C);
                }
            }
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
        for (int i = 0; i < C; i++)
        {
            o[i] = x[i] - m;               // centred values, reused for the variance
        }
        float v = Dot(o, o, C) / C;
        float s = 1f / MathF.Sqrt(v + 1e-5f);
        for (int i = 0; i < C; i++)
        {
            o[i] = o[i] * s * w[i] + b[i];
        }
        *mean = m;
        *rstd = s;
    }

    public static void LayerNormBackward(float* dinp, float* dw, float* db, float* dout, float* inp, float* w, float* mean, float* rstd, int N, int C)
    {
        nint dip = (nint)dinp, dop = (nint)dout, ip = (nint)inp, wp = (nint)w, mp = (nint)mean, rp = (nint)rstd;
        // dinp: rows are independent → threads
        Par.For(N, 12L * C, (r0, r1) =>
        {
            float[] tmp = new float[2 * C];
            fixed (float* t = tmp)
            {
                float* dnorm = t, nrm = t + C;
                for (int n = r0; n < r1; n++)
                {
                    float* x = (float*)ip + (long)n * C, d = (float*)dop + (long)n * C, di = (float*)dip + (long)n * C;
                    float m = ((float*)mp)[n], s = ((float*)rp)[n];
                    for (int i = 0; i < C; i++)
                    {
                        nrm[i] = (x[i] - m) * s;
                        dnorm[i] = ((float*)wp)[i] * d[i];
                    }
                    float dmean = Sum(dnorm, C) / C;
                    float dnmean = Dot(dnorm, nrm, C) / C;
                    for (int i = 0; i < C; i++)
                    {
                        di[i] += (dnorm[i] - dmean - nrm[i] * dnmean) * s;
                    }
                }
            }
        });
        // dw, db: reductions over rows, sequential in n
        for (int n = 0; n < N; n++)
        {
            float* x = inp + (long)n * C, d = dout + (long)n * C;
            float m = mean[n], s = rstd[n];
            for (int i = 0; i < C; i++)
            {
                float nrm = (x[i] - m) * s;
                db[i] += d[i];
                dw[i] += nrm * d[i];
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // linear: out[N,OC] = inp[N,C] · W[C,OC] + bias[OC]   (bias may be null)
    // ---------------------------------------------------------------------------------------------------
    public static void LinearForward(float* out_, float* inp, float* weight, float* bias, int N, int C, int OC)
    {
        for (int n = 0; n < N; n++)
        {
            float* o = out_ + (long)n * OC;
            if (bias == null)
            {
                new Span<float>(o, OC).Clear();
            }
            else
            {
                new ReadOnlySpan<float>(bias, OC).CopyTo(new Span<float>(o, OC));
            }
        }
        MatMulAdd(out_, inp, weight, N, C, OC);
    }

    public static void LinearBackward(float* dinp, float* dweight, float* dbias, float* dout, float* inp, float* weight, int N, int C, int OC)
    {
        if (dinp != null)
        {
            MatMulBtAdd(dinp, dout, weight, N, OC, C);      // dinp[N,C] += dout[N,OC] · W[C,OC]ᵀ
        }
        MatMulAtAdd(dweight, inp, dout, C, N, OC);         // dW[C,OC] += inp[N,C]ᵀ · dout[N,OC]
        if (dbias != null)
        {
            for (int n = 0; n < N; n++)
            {
                AddTo(dbias, dout + (long)n * OC, OC);
            }
        }
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

    public static void GeluBackward(float* dinp, float* inp, float* dout, int n)
    {
        nint dp = (nint)dinp, ip = (nint)inp, op = (nint)dout;
        Par.For(n, 50, (a, b) => GeluBackwardRange((float*)dp, (float*)ip, (float*)op, a, b));
    }

    // ---------------------------------------------------------------------------------------------------
    // residual: out = a + b;   backward: da += dout, db += dout
    // ---------------------------------------------------------------------------------------------------
    public static void ResidualForward(float* out_, float* a, float* b, int n)
    {
        for (int i = 0; i < n; i++)
        {
            out_[i] = a[i] + b[i];
        }
    }

    public static void ResidualBackward(float* da, float* db, float* dout, int n)
    {
        AddTo(da, dout, n);
        AddTo(db, dout, n);
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

    /// <summary>dlogits[n,i] += (probs[n,i] − [i = target]) · dlosses[n].</summary>
    public static void SoftmaxCrossEntropyBackward(float* dlogits, float* dlosses, float* probs, int* targets, int N, int V)
    {
        nint dp = (nint)dlogits, lp = (nint)dlosses, pp = (nint)probs, tp = (nint)targets;
        Par.For(N, 2L * V, (r0, r1) =>
        {
            for (int n = r0; n < r1; n++)
            {
                int tgt = ((int*)tp)[n];
                float dl = ((float*)lp)[n];
                if (tgt < 0 || dl == 0f)
                {
                    continue;
                }
                float* d = (float*)dp + (long)n * V;
                float* p = (float*)pp + (long)n * V;
                for (int i = 0; i < V; i++)
                {
                    d[i] += (p[i] - (i == tgt ? 1f : 0f)) * dl;
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------
    // LSTM cell, gate blocks [i | f | g | o] each H wide
    //   inputs pre[B,4H] (x·Wx + h·Wh + b), cprev[B,H]
    //   outputs act[B,4H] (σ(i), σ(f), tanh(g), σ(o)), c[B,H] = f·cprev + i·g, tc[B,H] = tanh(c), h[B,H] = o·tc
    // ---------------------------------------------------------------------------------------------------
    public static void LstmCellForward(float* h, float* c, float* act, float* tc, float* pre, float* cprev, int B, int H)
    {
        for (int b = 0; b < B; b++)
        {
            float* pr = pre + (long)b * 4 * H, ac = act + (long)b * 4 * H;
            for (int j = 0; j < H; j++)
            {
                float ig = NMath.Sigmoid(pr[j]);
                float fg = NMath.Sigmoid(pr[H + j]);
                float gg = NMath.Tanh(pr[2 * H + j]);
                float og = NMath.Sigmoid(pr[3 * H + j]);
                ac[j] = ig; ac[H + j] = fg; ac[2 * H + j] = gg; ac[3 * H + j] = og;
                float cv = fg * cprev[(long)b * H + j] + ig * gg;
                float tv = NMath.Tanh(cv);
                c[(long)b * H + j] = cv;
                tc[(long)b * H + j] = tv;
                h[(long)b * H + j] = og * tv;
            }
        }
    }

    /// <summary>
    /// dpre[B,4H] = ∂/∂pre; dcprev[B,H] = ∂/∂cprev (written, not accumulated). dh, dc are the incoming gradients
    /// of h and c (dc already holds what flows back from the next step).
    /// </summary>
    public static void LstmCellBackward(float* dpre, float* dcprev, float* dh, float* dc, float* act, float* tc, float* cprev, int B, int H)
    {
        for (int b = 0; b < B; b++)
        {
            float* ac = act + (long)b * 4 * H, dp = dpre + (long)b * 4 * H;
            for (int j = 0; j < H; j++)
            {
                long bj = (long)b * H + j;
                float ig = ac[j], fg = ac[H + j], gg = ac[2 * H + j], og = ac[3 * H + j];
                float t = tc[bj];
                float dct = dc[bj] + dh[bj] * og * (1f - t * t);
                float dog = dh[bj] * t;
                dp[j] = dct * gg * ig * (1f - ig);
                dp[H + j] = dct * cprev[bj] * fg * (1f - fg);
                dp[2 * H + j] = dct * ig * (1f - gg * gg);
                dp[3 * H + j] = dog * og * (1f - og);
                dcprev[bj] = dct * fg;
            }
        }
    }
}
