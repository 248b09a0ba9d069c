using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kolmo.Compression.Neural;

/// <summary>
/// Batch-1 kernels of the online LSTM (<see cref="OnlineLstm"/>): matrix–vector products, rank-one gradient updates,
/// the LSTM cell forward and backward, softmax and Adam, each written once generic over a register type
/// (<see cref="ILanes{TSelf}"/>) and dispatched to the widest one available (<see cref="LaneWidth"/>).
/// <para>Determinism: every output element is computed by the same sequence of exactly rounded operations in every
/// width — vectors run across independent outputs, never across a sum — and the only reduction (the softmax
/// normaliser) is a plain sequential sum. So scalar, Vector128, Vector256 and Vector512 give identical bits (tested).
/// All vector lengths are multiples of 16 floats, so no width has a tail.</para>
/// <para>Shapes (row-major): a matrix M[n, m] has n rows of m floats; y[m] = a + b + xᵀ·M is the "axpy" matvec
/// (one accumulator per output, k = 0 … n−1 in order, fused multiply-adds), which streams M row by row.</para>
/// </summary>
internal static unsafe class RecurrentKernels
{
    /// <summary>Number of floats every vector length must be a multiple of.</summary>
    public const int Align = 16;

    // ------------------------------------------------------------------------------------------------
    // y[m] = a[m] (+ b[m]) + Σ_k x[k] · M[k, m]
    // ------------------------------------------------------------------------------------------------

    /// <summary>y[j] = a[j] + b[j] + Σ_{k&lt;n} x[k]·M[k·m + j] for j &lt; m (b may be null; a null a means 0).</summary>
    public static void MatVec(float* y, float* a, float* b, float* x, int n, float* mtx, int m)
    {
        switch (LaneWidth.Current)
        {
            case 16: MatVec<Lanes16>(y, a, b, x, n, mtx, m); break;
            case 8: MatVec<Lanes8>(y, a, b, x, n, mtx, m); break;
            case 4: MatVec<Lanes4>(y, a, b, x, n, mtx, m); break;
            default: MatVec<Lanes1>(y, a, b, x, n, mtx, m); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MatVec<V>(float* y, float* a, float* b, float* x, int n, float* mtx, int m)
        where V : unmanaged, ILanes<V>
    {
        int w = V.Count;
        int j = 0;
        for (; j + 4 * w <= m; j += 4 * w)
        {
            V s0 = Init<V>(a, b, j), s1 = Init<V>(a, b, j + w), s2 = Init<V>(a, b, j + 2 * w), s3 = Init<V>(a, b, j + 3 * w);
            float* r = mtx + j;
            for (int k = 0; k < n; k++, r += m)
            {
                V xk = V.Splat(x[k]);
                s0 = V.Fma(xk, V.Load(r), s0);
                s1 = V.Fma(xk, V.Load(r + w), s1);
                s2 = V.Fma(xk, V.Load(r + 2 * w), s2);
                s3 = V.Fma(xk, V.Load(r + 3 * w), s3);
            }
            V.Store(y + j, s0);
            V.Store(y + j + w, s1);
            V.Store(y + j + 2 * w, s2);
            V.Store(y + j + 3 * w, s3);
        }
        for (; j + 2 * w <= m; j += 2 * w)
        {
            V s0 = Init<V>(a, b, j), s1 = Init<V>(a, b, j + w);
            float* r = mtx + j;
            for (int k = 0; k < n; k++, r += m)
            {
                V xk = V.Splat(x[k]);
                s0 = V.Fma(xk, V.Load(r), s0);
                s1 = V.Fma(xk, V.Load(r + w), s1);
            }
            V.Store(y + j, s0);
            V.Store(y + j + w, s1);
        }
        for (; j < m; j += w)
        {
            V s0 = Init<V>(a, b, j);
            float* r = mtx + j;
            for (int k = 0; k < n; k++, r += m)
            {
                s0 = V.Fma(V.Splat(x[k]), V.Load(r), s0);
            }
            V.Store(y + j, s0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Init<V>(float* a, float* b, int j)
        where V : unmanaged, ILanes<V>
    {
        V s = a == null ? V.Splat(0f) : V.Load(a + j);
        return b == null ? s : V.Add(s, V.Load(b + j));
    }

    // ------------------------------------------------------------------------------------------------
    // D[n, m] += a[n] ⊗ b[m]
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// D[k·m + j] += (s·a[k])·b[j] (the product s·a[k] rounded to float, then fused); a null a means a[k] = 1;
    /// rows with s·a[k] = 0 are skipped (the same decision in every width).
    /// </summary>
    public static void AddOuter(float* d, float* a, int n, float* b, int m, float s = 1f)
    {
        switch (LaneWidth.Current)
        {
            case 16: AddOuter<Lanes16>(d, a, n, b, m, s); break;
            case 8: AddOuter<Lanes8>(d, a, n, b, m, s); break;
            case 4: AddOuter<Lanes4>(d, a, n, b, m, s); break;
            default: AddOuter<Lanes1>(d, a, n, b, m, s); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddOuter<V>(float* d, float* a, int n, float* b, int m, float scale)
        where V : unmanaged, ILanes<V>
    {
        int w = V.Count;
        for (int k = 0; k < n; k++, d += m)
        {
            float ak = scale * (a == null ? 1f : a[k]);
            if (ak == 0f)
            {
                continue;
            }
            V s = V.Splat(ak);
            for (int j = 0; j < m; j += w)
            {
                V.Store(d + j, V.Fma(s, V.Load(b + j), V.Load(d + j)));
            }
        }
    }

    /// <summary>y[j] += x[j] for j &lt; m.</summary>
    public static void AddTo(float* y, float* x, int m)
    {
        switch (LaneWidth.Current)
        {
            case 16: AddTo<Lanes16>(y, x, m); break;
            case 8: AddTo<Lanes8>(y, x, m); break;
            case 4: AddTo<Lanes4>(y, x, m); break;
            default: AddTo<Lanes1>(y, x, m); break;
        }
    }

    private static void AddTo<V>(float* y, float* x, int m)
        where V : unmanaged, ILanes<V>
    {
        for (int j = 0; j < m; j += V.Count)
        {
            V.Store(y + j, V.Add(V.Load(y + j), V.Load(x + j)));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // LSTM cell with coupled input and forget gates (i = 1 − f), gates laid out [f | z | o], H cells each
    //   f = σ(pf), z = tanh(pz), o = σ(po), c = z + f·(c' − z) = f·c' + (1 − f)·z, τ = tanh(c), h = o·τ
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Cell forward: <paramref name="gates"/>[3H] holds the pre-activations and receives f, z, o;
    /// <paramref name="c"/>[H] holds c' and receives c; <paramref name="tanhC"/>[H] and <paramref name="h"/>[H] receive τ and h.
    /// </summary>
    public static void CellForward(float* gates, float* c, float* tanhC, float* h, int cells)
    {
        switch (LaneWidth.Current)
        {
            case 16: CellForward<Lanes16>(gates, c, tanhC, h, cells); break;
            case 8: CellForward<Lanes8>(gates, c, tanhC, h, cells); break;
            case 4: CellForward<Lanes4>(gates, c, tanhC, h, cells); break;
            default: CellForward<Lanes1>(gates, c, tanhC, h, cells); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CellForward<V>(float* gates, float* c, float* tanhC, float* h, int cells)
        where V : unmanaged, ILanes<V>
    {
        float* pf = gates, pz = gates + cells, po = gates + 2 * cells;
        for (int j = 0; j < cells; j += V.Count)
        {
            V f = Sigmoid(V.Load(pf + j));
            V z = Tanh(V.Load(pz + j));
            V o = Sigmoid(V.Load(po + j));
            V cn = V.Fma(f, V.Sub(V.Load(c + j), z), z);
            V t = Tanh(cn);
            V.Store(pf + j, f);
            V.Store(pz + j, z);
            V.Store(po + j, o);
            V.Store(c + j, cn);
            V.Store(tanhC + j, t);
            V.Store(h + j, V.Mul(o, t));
        }
    }

    /// <summary>
    /// Cell backward for one step. In: <paramref name="dh"/>[H] (dL/dh of this step), the step's activations
    /// <paramref name="gates"/>[f|z|o], <paramref name="cPrev"/>[H] = c', <paramref name="tanhC"/>[H] = τ;
    /// <paramref name="dc"/>[H] holds dL/dc from the next step and receives dL/dc' for the previous one.
    /// Out: <paramref name="dGates"/>[3H] = dL/d(pre-activations). dL/dc is clipped to ±<paramref name="clip"/>.
    /// </summary>
    public static void CellBackward(float* dGates, float* dc, float* dh, float* gates, float* cPrev, float* tanhC, int cells, float clip)
    {
        switch (LaneWidth.Current)
        {
            case 16: CellBackward<Lanes16>(dGates, dc, dh, gates, cPrev, tanhC, cells, clip); break;
            case 8: CellBackward<Lanes8>(dGates, dc, dh, gates, cPrev, tanhC, cells, clip); break;
            case 4: CellBackward<Lanes4>(dGates, dc, dh, gates, cPrev, tanhC, cells, clip); break;
            default: CellBackward<Lanes1>(dGates, dc, dh, gates, cPrev, tanhC, cells, clip); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CellBackward<V>(float* dGates, float* dc, float* dh, float* gates, float* cPrev, float* tanhC, int cells, float clip)
        where V : unmanaged, ILanes<V>
    {
        V one = V.Splat(1f), hi = V.Splat(clip), lo = V.Splat(-clip);
        for (int j = 0; j < cells; j += V.Count)
        {
            V f = V.Load(gates + j), z = V.Load(gates + cells + j), o = V.Load(gates + 2 * cells + j);
            V t = V.Load(tanhC + j), d = V.Load(dh + j);
            // dc = dh·o·(1 − τ²) + dc_next, clipped
            V dcj = V.Fma(V.Mul(d, o), V.Sub(one, V.Mul(t, t)), V.Load(dc + j));
            dcj = V.Min(V.Max(dcj, lo), hi);
            // do = dh·τ·o·(1 − o)
            V dO = V.Mul(V.Mul(d, t), V.Mul(o, V.Sub(one, o)));
            // dz = dc·(1 − f)·(1 − z²)
            V dZ = V.Mul(V.Mul(dcj, V.Sub(one, f)), V.Sub(one, V.Mul(z, z)));
            // df = dc·(c' − z)·f·(1 − f)
            V dF = V.Mul(V.Mul(dcj, V.Sub(V.Load(cPrev + j), z)), V.Mul(f, V.Sub(one, f)));
            V.Store(dGates + j, dF);
            V.Store(dGates + cells + j, dZ);
            V.Store(dGates + 2 * cells + j, dO);
            V.Store(dc + j, V.Mul(dcj, f));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Sigmoid<V>(V x)
        where V : unmanaged, ILanes<V>
        => V.Div(V.Splat(1f), V.Add(V.Splat(1f), V.Exp(V.Sub(V.Splat(0f), x))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Tanh<V>(V x)
        where V : unmanaged, ILanes<V>
    {
        V e = V.Exp(V.Add(x, x));
        V one = V.Splat(1f);
        return V.Div(V.Sub(e, one), V.Add(e, one));
    }

    // ------------------------------------------------------------------------------------------------
    // softmax, clip, Adam
    // ------------------------------------------------------------------------------------------------

    /// <summary>p[i] = exp(l[i] − max l) / Σ exp(…), for n (a multiple of 16) logits; the sum runs sequentially.</summary>
    public static void Softmax(float* p, float* logits, int n)
    {
        float max = logits[0];
        for (int i = 1; i < n; i++)
        {
            if (logits[i] > max)
            {
                max = logits[i];
            }
        }
        Map(p, logits, n, max, 0);
        float sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += p[i];
        }
        Map(p, p, n, sum, 1);
    }

    /// <summary>op 0: y = exp(x − s); op 1: y = x / s; op 2: y = clamp(x, −s, s).</summary>
    private static void Map(float* y, float* x, int n, float s, int op)
    {
        switch (LaneWidth.Current)
        {
            case 16: Map<Lanes16>(y, x, n, s, op); break;
            case 8: Map<Lanes8>(y, x, n, s, op); break;
            case 4: Map<Lanes4>(y, x, n, s, op); break;
            default: Map<Lanes1>(y, x, n, s, op); break;
        }
    }

    private static void Map<V>(float* y, float* x, int n, float s, int op)
        where V : unmanaged, ILanes<V>
    {
        V vs = V.Splat(s), neg = V.Splat(-s);
        for (int i = 0; i < n; i += V.Count)
        {
            V v = V.Load(x + i);
            V r = op switch
            {
                0 => V.Exp(V.Sub(v, vs)),
                1 => V.Div(v, vs),
                _ => V.Min(V.Max(v, neg), vs),
            };
            V.Store(y + i, r);
        }
    }

    /// <summary>x[i] = clamp(x[i], −c, c) for n (a multiple of 16) floats.</summary>
    public static void Clip(float* x, int n, float c) => Map(x, x, n, c, 2);

    /// <summary>
    /// Gradient and Adam in one pass, for a weight matrix W[rows, cols] whose gradient over a window of n steps is
    /// G[k, j] = Σ_t a_t[k] · d_t[j] (t = 0 … n−1 in order, fused, from 0): a_t is row t of
    /// <paramref name="a"/> (stride <paramref name="lda"/>; null means a_t[k] = 1, i.e. a bias), d_t is row t of
    /// <paramref name="d"/> (stride <paramref name="ldd"/>), and only steps with <paramref name="select"/>[t] equal
    /// to <paramref name="selectValue"/> count (null: all). The gradient is never stored. Then, per weight:
    /// m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= step·m / (√v·vScale + ε)
    /// (the caller folds the learning rate and both bias corrections into step and vScale; with β1 = 0, m is not
    /// read or written and g stands for it).
    /// </summary>
    public static void AdamOuter(float* w, float* m, float* v, int rows, int cols, float* a, int lda, float* d, int ldd, int n,
        int* select, int selectValue, in AdamStep step)
    {
        switch (LaneWidth.Current)
        {
            case 16: AdamOuter<Lanes16>(w, m, v, rows, cols, a, lda, d, ldd, n, select, selectValue, step); break;
            case 8: AdamOuter<Lanes8>(w, m, v, rows, cols, a, lda, d, ldd, n, select, selectValue, step); break;
            case 4: AdamOuter<Lanes4>(w, m, v, rows, cols, a, lda, d, ldd, n, select, selectValue, step); break;
            default: AdamOuter<Lanes1>(w, m, v, rows, cols, a, lda, d, ldd, n, select, selectValue, step); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AdamOuter<V>(float* w, float* m, float* v, int rows, int cols, float* a, int lda, float* d, int ldd, int n,
        int* select, int selectValue, in AdamStep step)
        where V : unmanaged, ILanes<V>
    {
        V b1 = V.Splat(step.Beta1), c1 = V.Splat(1f - step.Beta1), b2 = V.Splat(step.Beta2), c2 = V.Splat(1f - step.Beta2);
        V st = V.Splat(step.Step), vs = V.Splat(step.VScale), ep = V.Splat(step.Eps);
        bool momentum = step.Beta1 != 0f;
        int w4 = 4 * V.Count;
        float* coef = stackalloc float[n];
        long* off = stackalloc long[n];
        float* g = stackalloc float[cols];
        for (int k = 0; k < rows; k++)
        {
            // the window's nonzero terms of this row, in order (skipped alike in every width)
            int terms = 0;
            for (int t = 0; t < n; t++)
            {
                float c = select != null && select[t] != selectValue ? 0f : a == null ? 1f : a[(long)t * lda + k];
                if (c != 0f)
                {
                    coef[terms] = c;
                    off[terms++] = (long)t * ldd;
                }
            }
            // gradient of the row: Σ_t coef_t · d_t, four independent accumulators at a time
            int j = 0;
            for (; j + w4 <= cols; j += w4)
            {
                V g0 = V.Splat(0f), g1 = g0, g2 = g0, g3 = g0;
                for (int u = 0; u < terms; u++)
                {
                    V c = V.Splat(coef[u]);
                    float* dt = d + off[u] + j;
                    g0 = V.Fma(c, V.Load(dt), g0);
                    g1 = V.Fma(c, V.Load(dt + V.Count), g1);
                    g2 = V.Fma(c, V.Load(dt + 2 * V.Count), g2);
                    g3 = V.Fma(c, V.Load(dt + 3 * V.Count), g3);
                }
                V.Store(g + j, g0);
                V.Store(g + j + V.Count, g1);
                V.Store(g + j + 2 * V.Count, g2);
                V.Store(g + j + 3 * V.Count, g3);
            }
            for (; j < cols; j += V.Count)
            {
                V g0 = V.Splat(0f);
                for (int u = 0; u < terms; u++)
                {
                    g0 = V.Fma(V.Splat(coef[u]), V.Load(d + off[u] + j), g0);
                }
                V.Store(g + j, g0);
            }
            // Adam on the row
            long row = (long)k * cols;
            for (j = 0; j < cols; j += V.Count)
            {
                V gj = V.Load(g + j);
                float* wp = w + row + j, vp = v + row + j;
                V vi = V.Fma(b2, V.Load(vp), V.Mul(c2, V.Mul(gj, gj)));
                V mi = gj;
                if (momentum)
                {
                    float* mp = m + row + j;
                    mi = V.Fma(b1, V.Load(mp), V.Mul(c1, gj));
                    V.Store(mp, mi);
                }
                V.Store(vp, vi);
                V.Store(wp, V.Sub(V.Load(wp), V.Div(V.Mul(st, mi), V.Fma(V.Sqrt(vi), vs, ep))));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // y_t[k] = <M[k, :], x_t>   with 16 fixed lanes
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// y_t[k] = dot(M[k, 0..m), x_t) for k &lt; rows and t &lt; n, where x_t is row t of <paramref name="x"/>
    /// (stride <paramref name="ldx"/>) and y_t row t of <paramref name="y"/> (stride <paramref name="ldy"/>).
    /// Every dot product uses 16 fixed lanes (lane l sums i ≡ l mod 16 by fused multiply-adds in increasing i) combined
    /// by the fixed tree s8[i] = l[i] + l[i+8], s4[i] = s8[i] + s8[i+4], (s4[0] + s4[2]) + (s4[1] + s4[3]),
    /// in every width (scalar keeps 16 accumulators, Vector128 four registers, Vector256 two, Vector512 one).
    /// </summary>
    public static void DotRows(float* y, int ldy, float* mtx, int rows, int m, float* x, int ldx, int n)
    {
        switch (LaneWidth.Current)
        {
            case 16: DotRows16(y, ldy, mtx, rows, m, x, ldx, n); break;
            case 8: DotRows8(y, ldy, mtx, rows, m, x, ldx, n); break;
            case 4: DotRows4(y, ldy, mtx, rows, m, x, ldx, n); break;
            default: DotRows1(y, ldy, mtx, rows, m, x, ldx, n); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows16(float* y, int ldy, float* mtx, int rows, int m, float* x, int ldx, int n)
    {
        for (int t = 0; t < n; t++)
        {
            float* xt = x + (long)t * ldx;
            float* yt = y + (long)t * ldy;
            int k = 0;
            for (; k + 4 <= rows; k += 4)
            {
                float* r0 = mtx + (long)k * m, r1 = r0 + m, r2 = r1 + m, r3 = r2 + m;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int i = 0; i < m; i += 16)
                {
                    var xv = Vector512.Load(xt + i);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(r0 + i), xv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Load(r1 + i), xv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Load(r2 + i), xv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Load(r3 + i), xv, a3);
                }
                yt[k] = Reduce(a0);
                yt[k + 1] = Reduce(a1);
                yt[k + 2] = Reduce(a2);
                yt[k + 3] = Reduce(a3);
            }
            for (; k < rows; k++)
            {
                float* r = mtx + (long)k * m;
                var acc = Vector512<float>.Zero;
                for (int i = 0; i < m; i += 16)
                {
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(r + i), Vector512.Load(xt + i), acc);
                }
                yt[k] = Reduce(acc);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Reduce(Vector512<float> acc) => Reduce(acc.GetLower(), acc.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Reduce(Vector256<float> lo, Vector256<float> hi)
    {
        var s8 = lo + hi;
        var s4 = s8.GetLower() + s8.GetUpper();
        return (s4.GetElement(0) + s4.GetElement(2)) + (s4.GetElement(1) + s4.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows8(float* y, int ldy, float* mtx, int rows, int m, float* x, int ldx, int n)
    {
        for (int t = 0; t < n; t++)
        {
            float* xt = x + (long)t * ldx;
            float* yt = y + (long)t * ldy;
            int k = 0;
            for (; k + 2 <= rows; k += 2)
            {
                float* r0 = mtx + (long)k * m, r1 = r0 + m;
                Vector256<float> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
                for (int i = 0; i < m; i += 16)
                {
                    var xl = Vector256.Load(xt + i);
                    var xh = Vector256.Load(xt + i + 8);
                    lo0 = Vector256.FusedMultiplyAdd(Vector256.Load(r0 + i), xl, lo0);
                    hi0 = Vector256.FusedMultiplyAdd(Vector256.Load(r0 + i + 8), xh, hi0);
                    lo1 = Vector256.FusedMultiplyAdd(Vector256.Load(r1 + i), xl, lo1);
                    hi1 = Vector256.FusedMultiplyAdd(Vector256.Load(r1 + i + 8), xh, hi1);
                }
                yt[k] = Reduce(lo0, hi0);
                yt[k + 1] = Reduce(lo1, hi1);
            }
            for (; k < rows; k++)
            {
                float* r = mtx + (long)k * m;
                Vector256<float> lo = default, hi = default;
                for (int i = 0; i < m; i += 16)
                {
                    lo = Vector256.FusedMultiplyAdd(Vector256.Load(r + i), Vector256.Load(xt + i), lo);
                    hi = Vector256.FusedMultiplyAdd(Vector256.Load(r + i + 8), Vector256.Load(xt + i + 8), hi);
                }
                yt[k] = Reduce(lo, hi);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows4(float* y, int ldy, float* mtx, int rows, int m, float* x, int ldx, int n)
    {
        for (int k = 0; k < rows; k++)
        {
            float* r = mtx + (long)k * m;
            for (int t = 0; t < n; t++)
            {
                float* xt = x + (long)t * ldx;
                Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int i = 0; i < m; i += 16)
                {
                    a0 = Vector128.FusedMultiplyAdd(Vector128.Load(r + i), Vector128.Load(xt + i), a0);
                    a1 = Vector128.FusedMultiplyAdd(Vector128.Load(r + i + 4), Vector128.Load(xt + i + 4), a1);
                    a2 = Vector128.FusedMultiplyAdd(Vector128.Load(r + i + 8), Vector128.Load(xt + i + 8), a2);
                    a3 = Vector128.FusedMultiplyAdd(Vector128.Load(r + i + 12), Vector128.Load(xt + i + 12), a3);
                }
                var s4 = (a0 + a2) + (a1 + a3);
                y[(long)t * ldy + k] = (s4.GetElement(0) + s4.GetElement(2)) + (s4.GetElement(1) + s4.GetElement(3));
            }
        }
    }

    /// <summary>The scalar reference of <see cref="DotRows"/>: 16 accumulators, the same tree.</summary>
    private static void DotRows1(float* y, int ldy, float* mtx, int rows, int m, float* x, int ldx, int n)
    {
        float* acc = stackalloc float[16];
        for (int k = 0; k < rows; k++)
        {
            float* r = mtx + (long)k * m;
            for (int t = 0; t < n; t++)
            {
                float* xt = x + (long)t * ldx;
                for (int l = 0; l < 16; l++)
                {
                    acc[l] = 0f;
                }
                for (int i = 0; i < m; i += 16)
                {
                    for (int l = 0; l < 16; l++)
                    {
                        acc[l] = MathF.FusedMultiplyAdd(r[i + l], xt[i + l], acc[l]);
                    }
                }
                float s80 = acc[0] + acc[8], s81 = acc[1] + acc[9], s82 = acc[2] + acc[10], s83 = acc[3] + acc[11];
                float s84 = acc[4] + acc[12], s85 = acc[5] + acc[13], s86 = acc[6] + acc[14], s87 = acc[7] + acc[15];
                float s40 = s80 + s84, s41 = s81 + s85, s42 = s82 + s86, s43 = s83 + s87;
                y[(long)t * ldy + k] = (s40 + s42) + (s41 + s43);
            }
        }
    }
}

/// <summary>One Adam step's constants: decays, the bias-corrected step size, 1/sqrt(1 - beta2^t), epsilon.</summary>
internal readonly record struct AdamStep(float Beta1, float Beta2, float Step, float VScale, float Eps);
