using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kolmo.Neural;

// Causal (or bidirectional) multi-head self-attention as blocked matrix products, one (batch, head) at a time.
//   inp qkv[B,T,3C] (q | k | v), out[B,T,C], stats[B,NH,T,2] per query row: the softmax max and 1/sum
// Per head (Q, K, V: [T, hs] slices of qkv with row stride 3C), with S and P in a per-thread T×T scratch:
//   forward   S = Q·Kᵀ;  E = exp(S·scale − rowmax) under the mask, r = 1/rowsum(E) (saving rowmax, r);  O = (E·V)·r
//   backward  S = Q·Kᵀ again and P = exp(S·scale − rowmax)·r;
//             dP = dO·Vᵀ;  dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale;  dQ += dS·K;  dK += dSᵀ·Q;  dV += Pᵀ·dO
// The probabilities are recomputed instead of stored (as FlashAttention does): a T×T block per head stays in L2
// instead of L·B·NH·T² floats going through memory. Each product is the blocked matmul (one fused accumulator per
// output, fixed k order), so every element has exactly the value of the plain reference kernels below, on every
// SIMD width and thread count. Under a causal mask the products skip tiles above the diagonal and exact zero terms
// (which cannot change an fma chain that starts at +0).
internal static unsafe partial class Kernels
{
    [ThreadStatic]
    private static float[]? _attScratch;

    private static float* AttentionScratch(int floats)
    {
        if (_attScratch is null || _attScratch.Length < floats)
        {
            _attScratch = GC.AllocateArray<float>(floats, pinned: true);
        }
        return Pin.Ptr(_attScratch);
    }

    // S and P rows in the scratch are ScoreStride(T) apart and there are PaddedRows(T) of them, so that the products
    // may write whole tiles (CMode.Padded)
    private static int ScoreStride(int T) => (T + 31) & ~31;

    private static int PaddedRows(int T) => T + 7;

    public static void AttentionForward(float* out_, float* stats, float* qkv, int B, int T, int C, int NH, bool causal)
    {
        int hs = C / NH;
        float scale = 1f / MathF.Sqrt(hs);
        nint op = (nint)out_, sp = (nint)stats, qp = (nint)qkv;
        Par.For(B * NH, 4L * T * T * hs, (p0, p1) =>
        {
            float* s = AttentionScratch(ScoreStride(T) * PaddedRows(T));
            for (int p = p0; p < p1; p++)
            {
                int b = p / NH, h = p % NH;
                float* q = (float*)qp + (long)b * T * 3 * C + h * hs;
                float* o = (float*)op + (long)b * T * C + h * hs;
                AttentionHeadForward(o, C, (float*)sp + ((long)b * NH + h) * T * 2, s, q, q + C, q + 2 * C, 3 * C, T, hs, causal, scale);
            }
        });
    }

    /// <summary>One head: o[T,hs] (row stride ldo) = softmax(q·kᵀ·scale under the mask)·v; stats[T,2] = (max, 1/sum) per row.</summary>
    private static void AttentionHeadForward(float* o, int ldo, float* stats, float* s, float* q, float* k, float* v, int ld, int T, int hs, bool causal, float scale)
    {
        int ls = ScoreStride(T);
        MatMulTri(causal ? Tri.LowerC : Tri.None, false, true, s, ls, q, ld, k, ld, T, hs, T, CMode.Overwrite | CMode.Padded);
        // two passes over the rows, every max and then every row of exponentials: a row's exponentials wait on the
        // reduction of its max, and with the passes apart the processor overlaps that latency with other rows' work
        // (10% of a 16-wide head's forward; the same operations, so the same bits)
        for (int t = 0; t < T; t++)
        {
            stats[2 * t] = RowScaledMax(s + (long)t * ls, scale, causal ? t + 1 : T);
        }
        for (int t = 0; t < T; t++)
        {
            int count = causal ? t + 1 : T;
            float* row = s + (long)t * ls;
            stats[2 * t + 1] = 1f / RowExpSum(row, scale, stats[2 * t], count);
            ZeroBand(row, count, T);
        }
        MatMulTri(causal ? Tri.LowerA : Tri.None, false, false, o, ldo, s, ls, v, ld, T, T, hs, CMode.Overwrite);
        for (int t = 0; t < T; t++)
        {
            Scale(o + (long)t * ldo, stats[2 * t + 1], hs);
        }
    }

    /// <summary>
    /// One query row of attention over <paramref name="count"/> keys (the KV-cache predictor): the same products,
    /// exponentials and normalisation as <see cref="AttentionForward"/>, so the output equals the batched row bit for bit.
    /// <paramref name="arow"/> needs <see cref="RowCapacity"/>(count) floats; <paramref name="o"/> receives hs floats.
    /// </summary>
    internal static void AttentionRow(float* o, float* arow, float* q, float* k0, float* v0, int stride, int count, int hs, float scale)
    {
        MatMulTri(Tri.None, false, true, arow, count, q, hs, k0, stride, 1, hs, count, CMode.Overwrite);
        float max = RowScaledMax(arow, scale, count);
        float inv = 1f / RowExpSum(arow, scale, max, count);
        MatMulTri(Tri.None, false, false, o, hs, arow, count, v0, stride, 1, count, hs, CMode.Overwrite);
        Scale(o, inv, hs);
    }

    /// <summary>
    /// Zeroes row[count .. min(T, count + 8)): the masked entries a triangular product reads inside a diagonal tile
    /// (row tiles are at most 8 high); entries further right are never read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZeroBand(float* row, int count, int T)
    {
        int end = Math.Min(T, count + 8);
        for (int i = count; i < end; i++)
        {
            row[i] = 0f;
        }
    }

    /// <summary>dqkv += the gradients of q, k, v (with <paramref name="overwrite"/>: each head's slices are zeroed right before
    /// its products accumulate into them, so dqkv need not be cleared beforehand).</summary>
    public static void AttentionBackward(float* dqkv, float* dout, float* qkv, float* stats, int B, int T, int C, int NH, bool causal, bool overwrite = false)
    {
        int hs = C / NH;
        float scale = 1f / MathF.Sqrt(hs);
        nint dqp = (nint)dqkv, dop = (nint)dout, qp = (nint)qkv, sp = (nint)stats;
        Par.For(B * NH, 10L * T * T * hs, (p0, p1) =>
        {
            int size = ScoreStride(T) * PaddedRows(T);
            float* pr = AttentionScratch(2 * size);
            for (int p = p0; p < p1; p++)
            {
                int b = p / NH, h = p % NH;
                float* q = (float*)qp + (long)b * T * 3 * C + h * hs;
                float* dq = (float*)dqp + (long)b * T * 3 * C + h * hs;
                float* d = (float*)dop + (long)b * T * C + h * hs;
                if (overwrite)
                {
                    for (int t = 0; t < T; t++)
                    {
                        float* r = dq + (long)t * 3 * C;
                        new Span<float>(r, hs).Clear();
                        new Span<float>(r + C, hs).Clear();
                        new Span<float>(r + 2 * C, hs).Clear();
                    }
                }
                AttentionHeadBackward(dq, dq + C, dq + 2 * C, pr, pr + size, d, C, (float*)sp + ((long)b * NH + h) * T * 2,
                    q, q + C, q + 2 * C, 3 * C, T, hs, causal, scale);
            }
        });
    }

    /// <summary>One head: dq, dk, dv (row stride ld) += gradients given dout (row stride ldd) and the forward's row stats.</summary>
    private static void AttentionHeadBackward(float* dq, float* dk, float* dv, float* pr, float* ds, float* dout, int ldd, float* stats,
        float* q, float* k, float* v, int ld, int T, int hs, bool causal, float scale)
    {
        int ls = ScoreStride(T);
        var tri = causal ? Tri.LowerC : Tri.None;
        // P again: S = Q·Kᵀ, then each row rebuilt from the saved max and 1/sum
        MatMulTri(tri, false, true, pr, ls, q, ld, k, ld, T, hs, T, CMode.Overwrite | CMode.Padded);
        for (int t = 0; t < T; t++)
        {
            int count = causal ? t + 1 : T;
            RowRecompute(pr + (long)t * ls, scale, stats[2 * t], stats[2 * t + 1], count);
            ZeroBand(pr + (long)t * ls, count, T);
        }
        MatMulTri(tri, false, true, ds, ls, dout, ldd, v, ld, T, hs, T, CMode.Overwrite | CMode.Padded);     // dP = dO·Vᵀ
        for (int t = 0; t < T; t++)
        {
            int count = causal ? t + 1 : T;
            RowSoftmaxBackward(ds + (long)t * ls, pr + (long)t * ls, count, scale);
            ZeroBand(ds + (long)t * ls, count, T);
        }
        MatMulTri(causal ? Tri.LowerA : Tri.None, false, false, dq, ld, ds, ls, k, ld, T, T, hs);      // dQ += dS·K
        MatMulTri(causal ? Tri.UpperA : Tri.None, true, false, dk, ld, ds, ls, q, ld, T, T, hs);       // dK += dSᵀ·Q
        MatMulTri(causal ? Tri.UpperA : Tri.None, true, false, dv, ld, pr, ls, dout, ldd, T, T, hs);   // dV += Pᵀ·dO
    }

    // ---------------------------------------------------------------------------------------------------
    // softmax rows of attention: 16 lanes (lane l takes i ≡ l mod 16), the last vector of a row masked past
    // `count` (−∞ for the max, 0 for sums and stored values), lanes combined by the halving tree
    // s8[l] = l[l] + l[l+8]; s4[l] = s8[l] + s8[l+4]; s2[l] = s4[l] + s4[l+2]; s = s2[0] + s2[1].
    // Vector512 holds the 16 lanes in one register, Vector256 in two, Vector128 in four, scalar emulates them, so
    // every width gives the same bits. A row may be read and written up to RowCapacity(count) floats.
    // ---------------------------------------------------------------------------------------------------

    /// <summary>Floats a softmax row of <paramref name="count"/> entries may touch: count rounded up to 16.</summary>
    internal static int RowCapacity(int count) => (count + 15) & ~15;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Lanes16(Vector256<float> lo, Vector256<float> hi)
    {
        var s8 = lo + hi;
        var s4 = s8.GetLower() + s8.GetUpper();
        float s20 = s4[0] + s4[2], s21 = s4[1] + s4[3];
        return s20 + s21;
    }

    private static float Lanes16(float* l)
    {
        float* s8 = stackalloc float[8];
        for (int i = 0; i < 8; i++)
        {
            s8[i] = l[i] + l[i + 8];
        }
        float s40 = s8[0] + s8[4], s41 = s8[1] + s8[5], s42 = s8[2] + s8[6], s43 = s8[3] + s8[7];
        return (s40 + s42) + (s41 + s43);
    }

    /// <summary>max of x[i]·scale over i &lt; count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowScaledMax(float* x, float scale, int count)
    {
        int w = Width;
        if (w == 512)
        {
            var m = Vector512.Create(float.NegativeInfinity);
            var sc = Vector512.Create(scale);
            for (int i = 0; i < count; i += 16)
            {
                var v = Vector512.Load(x + i) * sc;
                var keep = Vector512.GreaterThan(Vector512.Create(count - i), Vector512<int>.Indices).AsSingle() & Vector512.GreaterThan(v, m);
                m = Vector512.ConditionalSelect(keep, v, m);
            }
            return MaxOf(Vector256.Max(m.GetLower(), m.GetUpper()));
        }
        float max = float.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            float v = x[i] * scale;
            if (v > max)
            {
                max = v;
            }
        }
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxOf(Vector256<float> v)
    {
        var h = Vector128.Max(v.GetLower(), v.GetUpper());
        float a = Math.Max(h[0], h[1]), b = Math.Max(h[2], h[3]);
        return Math.Max(a, b);
    }

    /// <summary>x[i] = exp(x[i]·scale − max) for i &lt; count, 0 up to the row capacity; returns the 16-lane sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowExpSum(float* x, float scale, float max, int count)
    {
        int w = Width;
        if (w == 512)
        {
            var acc = Vector512<float>.Zero;
            var sc = Vector512.Create(scale);
            var m = Vector512.Create(max);
            for (int i = 0; i < count; i += 16)
            {
                var live = Vector512.GreaterThan(Vector512.Create(count - i), Vector512<int>.Indices).AsSingle();
                var e = Exp512(Vector512.Load(x + i) * sc - m) & live;
                e.Store(x + i);
                acc += e;
            }
            return Lanes16(acc.GetLower(), acc.GetUpper());
        }
        if (w >= 128)
        {
            var lo = Vector256<float>.Zero;
            var hi = Vector256<float>.Zero;
            for (int i = 0; i < count; i += 16)
            {
                var e0 = RowExp8(x + i, scale, max, count - i);
                var e1 = RowExp8(x + i + 8, scale, max, count - i - 8);
                e0.Store(x + i);
                e1.Store(x + i + 8);
                lo += e0;
                hi += e1;
            }
            return Lanes16(lo, hi);
        }
        float* l = stackalloc float[16];
        new Span<float>(l, 16).Clear();
        for (int i = 0; i < RowCapacity(count); i++)
        {
            float e = i < count ? NMath.Exp(x[i] * scale - max) : 0f;
            x[i] = e;
            l[i & 15] += e;
        }
        return Lanes16(l);
    }

    // 8 exponentials exp(x·scale − max) with the lanes at or past `live` zeroed (Vector256, or two Vector128 halves).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RowExp8(float* x, float scale, float max, int live)
    {
        if (Width >= 256)
        {
            var mask = Vector256.GreaterThan(Vector256.Create(live), Vector256<int>.Indices).AsSingle();
            return Exp256(Vector256.Load(x) * Vector256.Create(scale) - Vector256.Create(max)) & mask;
        }
        var m0 = Vector128.GreaterThan(Vector128.Create(live), Vector128<int>.Indices).AsSingle();
        var m1 = Vector128.GreaterThan(Vector128.Create(live - 4), Vector128<int>.Indices).AsSingle();
        var e0 = Exp128(Vector128.Load(x) * Vector128.Create(scale) - Vector128.Create(max)) & m0;
        var e1 = Exp128(Vector128.Load(x + 4) * Vector128.Create(scale) - Vector128.Create(max)) & m1;
        return Vector256.Create(e0, e1);
    }

    /// <summary>x[i] = exp(x[i]·scale − max)·inv for i &lt; count (the forward's probabilities again), 0 up to the capacity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowRecompute(float* x, float scale, float max, float inv, int count)
    {
        int w = Width;
        if (w == 512)
        {
            var sc = Vector512.Create(scale);
            var m = Vector512.Create(max);
            var iv = Vector512.Create(inv);
            for (int i = 0; i < count; i += 16)
            {
                var live = Vector512.GreaterThan(Vector512.Create(count - i), Vector512<int>.Indices).AsSingle();
                ((Exp512(Vector512.Load(x + i) * sc - m) * iv) & live).Store(x + i);
            }
            return;
        }
        if (w >= 128)
        {
            var iv = Vector256.Create(inv);
            for (int i = 0; i < count; i += 8)
            {
                (RowExp8(x + i, scale, max, count - i) * iv).Store(x + i);
            }
            return;
        }
        for (int i = 0; i < RowCapacity(count); i++)
        {
            x[i] = i < count ? NMath.Exp(x[i] * scale - max) * inv : 0f;
        }
    }

    /// <summary>d[i] ← p[i]·(d[i] − s)·scale for i &lt; count, 0 up to the capacity, with s = Σ p·d (16 fused lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowSoftmaxBackward(float* d, float* p, int count, float scale)
    {
        int w = Width;
        int cap = RowCapacity(count);
        float s;
        if (w == 512)
        {
            var acc = Vector512<float>.Zero;
            for (int i = 0; i < count; i += 16)
            {
                var live = Vector512.GreaterThan(Vector512.Create(count - i), Vector512<int>.Indices).AsSingle();
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(p + i) & live, Vector512.Load(d + i) & live, acc);
            }
            s = Lanes16(acc.GetLower(), acc.GetUpper());
            var sv = Vector512.Create(s);
            var sc = Vector512.Create(scale);
            for (int i = 0; i < count; i += 16)
            {
                var live = Vector512.GreaterThan(Vector512.Create(count - i), Vector512<int>.Indices).AsSingle();
                ((Vector512.Load(p + i) * (Vector512.Load(d + i) - sv) * sc) & live).Store(d + i);
            }
            return;
        }
        if (w >= 256)
        {
            var lo = Vector256<float>.Zero;
            var hi = Vector256<float>.Zero;
            for (int i = 0; i < count; i += 16)
            {
                var m0 = Vector256.GreaterThan(Vector256.Create(count - i), Vector256<int>.Indices).AsSingle();
                var m1 = Vector256.GreaterThan(Vector256.Create(count - i - 8), Vector256<int>.Indices).AsSingle();
                lo = Vector256.FusedMultiplyAdd(Vector256.Load(p + i) & m0, Vector256.Load(d + i) & m0, lo);
                hi = Vector256.FusedMultiplyAdd(Vector256.Load(p + i + 8) & m1, Vector256.Load(d + i + 8) & m1, hi);
            }
            s = Lanes16(lo, hi);
            var sv = Vector256.Create(s);
            var sc = Vector256.Create(scale);
            for (int i = 0; i < count; i += 8)
            {
                var m0 = Vector256.GreaterThan(Vector256.Create(count - i), Vector256<int>.Indices).AsSingle();
                ((Vector256.Load(p + i) * (Vector256.Load(d + i) - sv) * sc) & m0).Store(d + i);
            }
            return;
        }
        float* l = stackalloc float[16];
        new Span<float>(l, 16).Clear();
        for (int i = 0; i < count; i++)
        {
            l[i & 15] = MathF.FusedMultiplyAdd(p[i], d[i], l[i & 15]);
        }
        s = Lanes16(l);
        for (int i = 0; i < cap; i++)
        {
            d[i] = i < count ? p[i] * (d[i] - s) * scale : 0f;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // plain reference kernels: the definition the blocked ones must equal bit for bit (tests compare them)
    // ---------------------------------------------------------------------------------------------------

    internal static void AttentionForwardReference(float* out_, float* att, float* qkv, int B, int T, int C, int NH, bool causal)
    {
        int hs = C / NH;
        float scale = 1f / MathF.Sqrt(hs);
        for (int b = 0; b < B; b++)
        {
            for (int h = 0; h < NH; h++)
            {
                for (int t = 0; t < T; t++)
                {
                    float* q = qkv + ((long)b * T + t) * 3 * C + h * hs;
                    float* row = att + (((long)b * NH + h) * T + t) * T;
                    int count = causal ? t + 1 : T;
                    for (int t2 = 0; t2 < T; t2++)
                    {
                        float* k = qkv + ((long)b * T + t2) * 3 * C + C + h * hs;
                        float acc = 0f;
                        for (int i = 0; i < hs; i++)
                        {
                            acc = MathF.FusedMultiplyAdd(q[i], k[i], acc);
                        }
                        row[t2] = t2 < count ? acc * scale : 0f;
                    }
                    float max = float.NegativeInfinity;
                    for (int t2 = 0; t2 < count; t2++)
                    {
                        if (row[t2] > max)
                        {
                            max = row[t2];
                        }
                    }
                    for (int t2 = 0; t2 < count; t2++)
                    {
                        row[t2] = NMath.Exp(row[t2] - max);
                    }
                    float inv = 1f / SumLanes16Reference(row, count, null);
                    float* o = out_ + ((long)b * T + t) * C + h * hs;
                    for (int i = 0; i < hs; i++)
                    {
                        float acc = 0f;
                        for (int t2 = 0; t2 < count; t2++)
                        {
                            acc = MathF.FusedMultiplyAdd(row[t2], qkv[((long)b * T + t2) * 3 * C + 2 * C + h * hs + i], acc);
                        }
                        o[i] = acc * inv;
                    }
                    for (int t2 = 0; t2 < count; t2++)
                    {
                        row[t2] *= inv;       // the probabilities, for the reference backward
                    }
                }
            }
        }
    }

    internal static void AttentionBackwardReference(float* dqkv, float* dout, float* qkv, float* att, int B, int T, int C, int NH, bool causal)
    {
        int hs = C / NH;
        float scale = 1f / MathF.Sqrt(hs);
        float[] dsBuf = new float[T * T];
        fixed (float* ds = dsBuf)
        {
            for (int b = 0; b < B; b++)
            {
                for (int h = 0; h < NH; h++)
                {
                    float* P = att + ((long)b * NH + h) * T * T;
                    float Q(int t, int i) => qkv[((long)b * T + t) * 3 * C + h * hs + i];
                    float K(int t, int i) => qkv[((long)b * T + t) * 3 * C + C + h * hs + i];
                    float V(int t, int i) => qkv[((long)b * T + t) * 3 * C + 2 * C + h * hs + i];
                    float D(int t, int i) => dout[((long)b * T + t) * C + h * hs + i];
                    for (int t = 0; t < T; t++)
                    {
                        int count = causal ? t + 1 : T;
                        float* row = ds + (long)t * T;
                        for (int t2 = 0; t2 < count; t2++)
                        {
                            float acc = 0f;
                            for (int i = 0; i < hs; i++)
                            {
                                acc = MathF.FusedMultiplyAdd(D(t, i), V(t2, i), acc);
                            }
                            row[t2] = acc;
                        }
                        float s = SumLanes16Reference(P + (long)t * T, count, row);
                        for (int t2 = 0; t2 < T; t2++)
                        {
                            row[t2] = t2 < count ? P[(long)t * T + t2] * (row[t2] - s) * scale : 0f;
                        }
                    }
                    for (int t = 0; t < T; t++)
                    {
                        for (int i = 0; i < hs; i++)
                        {
                            long at = ((long)b * T + t) * 3 * C + h * hs + i;
                            float dq = dqkv[at], dk = dqkv[at + C], dv = dqkv[at + 2 * C];
                            for (int u = 0; u < T; u++)
                            {
                                dq = MathF.FusedMultiplyAdd(ds[(long)t * T + u], K(u, i), dq);     // dQ[t] = Σ_u dS[t,u]·K[u]
                                dk = MathF.FusedMultiplyAdd(ds[(long)u * T + t], Q(u, i), dk);     // dK[t] = Σ_u dS[u,t]·Q[u]
                                dv = MathF.FusedMultiplyAdd(P[(long)u * T + t], D(u, i), dv);      // dV[t] = Σ_u P[u,t]·dO[u]
                            }
                            dqkv[at] = dq;
                            dqkv[at + C] = dk;
                            dqkv[at + 2 * C] = dv;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The 16-lane sum of a softmax row (Σ x, or Σ x·y as fused steps when <paramref name="y"/> is given) in plain code.</summary>
    private static float SumLanes16Reference(float* x, int n, float* y)
    {
        float* l = stackalloc float[16];
        new Span<float>(l, 16).Clear();
        for (int i = 0; i < n; i++)
        {
            l[i % 16] = y == null ? l[i % 16] + x[i] : MathF.FusedMultiplyAdd(x[i], y[i], l[i % 16]);
        }
        return Lanes16(l);
    }
}
